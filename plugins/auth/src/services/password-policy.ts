/**
 * Password policy (NIST SP 800-63B and OWASP's authentication guidance): a length floor, a
 * ceiling that bounds hashing cost, no password from the list of the most common ones, and not
 * the account's own address. No composition rules: they make passwords worse, not better.
 */
import { readFileSync } from 'node:fs';
import { PasswordRejected } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/** The shipped list (data/common-passwords.txt), lowercased. */
export function loadCommonPasswords(
  file: URL = new URL('../../data/common-passwords.txt', import.meta.url),
): ReadonlySet<string> {
  const words = readFileSync(file, 'utf8')
    .split('\n')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
  return new Set(words);
}

/** Throws AUTH_ERR_PASSWORD_POLICY naming the first rule `password` breaks. */
export function checkPassword(password: string, email: string, common: ReadonlySet<string>): void {
  // Length in code points, as a person counts characters.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw PasswordRejected(`Use at least ${MIN_PASSWORD_LENGTH} characters`, 'min_length');
  if (length > MAX_PASSWORD_LENGTH) throw PasswordRejected(`Use at most ${MAX_PASSWORD_LENGTH} characters`, 'max_length');
  const lower = password.toLowerCase();
  if (common.has(lower)) throw PasswordRejected('This password is too common; choose another', 'common');
  const local = email.trim().toLowerCase().split('@')[0] ?? '';
  // Very short local parts ("jo@") would refuse too much for too little gain.
  if (local.length >= 3 && lower.includes(local)) {
    throw PasswordRejected('The password must not contain your email address', 'contains_email');
  }
}
