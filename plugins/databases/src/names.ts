/**
 * Names and passwords. Every database and user of a customer is `<prefix>_<suffix>`: the prefix
 * is the customer's (from their e-mail's local part, made unique), the suffix theirs to choose.
 * cPanel users know the shape (`joe_wp`); it keeps customers apart on a shared server and tells
 * an administrator at a glance whose a database is.
 */
import { randomInt } from 'node:crypto';

/** The part a customer chooses: 1–16 of `[a-z0-9_]`, a letter or digit first. */
export const SUFFIX_PATTERN = '^[a-z0-9][a-z0-9_]{0,15}$';
const SUFFIX = new RegExp(SUFFIX_PATTERN);
const PREFIX_MAX = 8;

/** Why `suffix` is refused, or null when it is fine. */
export function suffixProblem(suffix: string): string | null {
  if (SUFFIX.test(suffix)) return null;
  return 'Use 1 to 16 lower-case letters, digits and _, starting with a letter or digit';
}

/** The prefix wanted for a customer, from the local part of their e-mail (`Jo.Smith+x@…` → `josmith`). */
export function basePrefix(email: string): string {
  const local = (email.split('@')[0] ?? '').split('+')[0] ?? '';
  let base = local.toLowerCase().replace(/[^a-z0-9]/g, '');
  // A letter first; and never `pg…`: PostgreSQL reserves role names starting with `pg_`.
  if (!/^[a-z]/.test(base) || base.startsWith('pg')) base = `c${base}`;
  return base.slice(0, PREFIX_MAX);
}

/** Candidates in order: the base, then base2, base3 … (shortened to keep within 10 characters). */
export function* prefixCandidates(base: string): Generator<string> {
  yield base;
  for (let n = 2; n < 100_000; n += 1) yield `${base.slice(0, 10 - String(n).length)}${n}`;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A strong password: `length` characters from 57 letters and digits (no look-alikes), with at
 * least one upper-case, one lower-case letter and one digit (servers' password rules), drawn
 * with `crypto.randomInt` (no modulo bias). 24 characters ≈ 140 bits.
 */
export function generatePassword(length: number): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
    if (/[A-Z]/.test(out) && /[a-z]/.test(out) && /[0-9]/.test(out)) return out;
  }
}
