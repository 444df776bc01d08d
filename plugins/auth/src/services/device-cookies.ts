/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser or
 * script that signed in to an account receives a token bound to that account's address. Its
 * later sign-ins are throttled on the device's own bucket, so a stranger guessing elsewhere
 * cannot lock the owner out, and a stranger cannot forge one.
 *
 * Token: `<id>.<mac>`, id = 20 random bytes (base32), mac = HMAC-SHA256(device key, id + "\n" +
 * normalised address). Nothing is stored: the throttle's events are the only state.
 */
import { constantTimeEqual, hmacBase64url, randomToken } from './crypto.js';

/** Cookie names: `__Host-` needs Secure, so plain HTTP (development) uses the other. */
export const DEVICE_COOKIE = { secure: '__Host-hp_device', plain: 'hp_device' } as const;
/** How long a browser keeps its device cookie (each sign-in renews it). */
export const DEVICE_COOKIE_DAYS = 180;

const ID = /^[a-z2-7]{32}$/;

function macOf(key: Buffer, id: string, email: string): string {
  return hmacBase64url(key, `${id}\n${email.trim().toLowerCase()}`);
}

/** A new device token for the account with this address. */
export function issueDeviceToken(key: Buffer, email: string): string {
  const id = randomToken(20);
  return `${id}.${macOf(key, id, email)}`;
}

/** The device id when `token` was issued for this address; undefined otherwise. */
export function deviceIdOf(key: Buffer, token: string | null | undefined, email: string): string | undefined {
  if (!token) return undefined;
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  if (dot < 0 || !ID.test(id)) return undefined;
  return constantTimeEqual(token.slice(dot + 1), macOf(key, id, email)) ? id : undefined;
}
