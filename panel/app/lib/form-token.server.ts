/**
 * The form token: a random value in a cookie, echoed by a hidden field of every panel form
 * (double-submit). It is what tells our own form posts from forged ones when the Origin header
 * cannot: Chromium sends `Origin: null` with plain form posts under the host's `Referrer-Policy:
 * no-referrer`, and so does a page on another site that hides where it is. Another site can
 * neither read the cookie nor the page that carries the field (nor, as the cookie is SameSite,
 * make the browser send it along from there).
 */
import { cookiesOf, FORM_TOKEN_COOKIE, setCookie } from './cookies';

/** The hidden field that echoes the cookie. */
export const FORM_TOKEN_FIELD = '_formToken';

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Buffer.from(bytes).toString('base64url');
}

/** This browser's form token, and the Set-Cookie header to send when it is new. */
export function formTokenFor(request: Request): { token: string; setCookie: string | null } {
  const stored = cookiesOf(request)[FORM_TOKEN_COOKIE];
  if (stored && /^[A-Za-z0-9_-]{43}$/.test(stored)) return { token: stored, setCookie: null };
  const token = newToken();
  // Lax, not Strict: arriving from a link elsewhere must not mint a new token under open forms.
  return { token, setCookie: setCookie(request, FORM_TOKEN_COOKIE, token, { sameSite: 'Lax' }) };
}

/** Whether the form echoes the browser's form token (compared in constant time). */
export function formTokenMatches(request: Request, form: FormData): boolean {
  const stored = cookiesOf(request)[FORM_TOKEN_COOKIE];
  const sent = form.get(FORM_TOKEN_FIELD);
  if (!stored || typeof sent !== 'string' || sent.length !== stored.length) return false;
  let diff = 0;
  for (let i = 0; i < stored.length; i++) diff |= stored.charCodeAt(i) ^ sent.charCodeAt(i);
  return diff === 0;
}
