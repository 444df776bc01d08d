/** Email addresses as the platform stores them. */

// The WHATWG HTML "valid e-mail address" grammar (what <input type=email> accepts): strict enough
// to refuse typos and header tricks, loose enough for `admin@localhost` in development.
// https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * Trim and lowercase `input`; undefined unless the result is a valid address of at most 254
 * characters (RFC 5321's path limit) with a local part of at most 64.
 */
export function normaliseEmail(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return undefined;
  return email.indexOf('@') <= 64 ? email : undefined;
}
