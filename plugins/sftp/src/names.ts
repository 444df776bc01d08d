/**
 * Logins and passwords. A login is `<site name>_<name>` (the site's slug tells an administrator
 * whose account it is; the name is the customer's), cut to the 32 characters Linux allows with a
 * hash of the whole so two long ones do not collide.
 */
import { createHash, randomInt } from 'node:crypto';

/** The part a customer chooses: 1–16 of `[a-z0-9]`, a letter first. */
export const NAME_PATTERN = '^[a-z][a-z0-9]{0,15}$';
export const LOGIN_MAX = 32;

export function loginOf(siteName: string, name: string): string {
  // Linux user names start with a letter; site slugs may start with a digit.
  const site = /^[a-z]/.test(siteName) ? siteName : `s${siteName}`;
  const full = `${site}_${name}`;
  if (full.length <= LOGIN_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const room = LOGIN_MAX - name.length - hash.length - 2;
  return `${site.slice(0, Math.max(1, room)).replace(/-+$/, '')}${hash}_${name}`.slice(0, LOGIN_MAX);
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 24 characters from 57 letters and digits (≈ 140 bits), drawn without modulo bias. */
export function generatePassword(length = 24): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
    if (/[A-Z]/.test(out) && /[a-z]/.test(out) && /[0-9]/.test(out)) return out;
  }
}

/** Why a password is refused, or null. It travels to `openssl passwd` on one line of stdin. */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'use at least 12 characters';
  if (password.length > 128) return 'use at most 128 characters';
  // eslint-disable-next-line no-control-regex -- control characters cannot be typed at a login prompt
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'control characters are not allowed';
  return null;
}
