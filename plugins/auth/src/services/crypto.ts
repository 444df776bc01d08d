/**
 * Small crypto helpers. Tokens follow the Lucia guide on @oslojs: random bytes from the platform
 * CSPRNG, base32 (lowercase, no padding) for the wire, SHA-256 hex for storage.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

const encoder = new TextEncoder();

/** A random token: `bytes` random bytes (≥ 20), base32 lowercase without padding. */
export function randomToken(bytes = 25): string {
  if (bytes < 20) throw new RangeError('tokens carry at least 20 random bytes');
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

/** What a token is stored as: SHA-256, hex. Enough for ≥ 160-bit random tokens (no salt needed). */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(encoder.encode(token)));
}

/** A 32-byte key for `purpose`, derived from the master secret (HKDF-SHA256). */
export function deriveKey(master: Uint8Array, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, 'hostplane-auth', purpose, 32));
}

/** HMAC-SHA256 of `data`, base64url. */
export function hmacBase64url(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

/** Compare two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SEALED_PREFIX = 'v1.';

/** Encrypt with AES-256-GCM: `v1.` + base64url(iv ‖ ciphertext ‖ tag). `context` is bound as AAD. */
export function seal(key: Buffer, plaintext: Uint8Array, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** Decrypt what {@link seal} made; throws when the key, context or data do not match. */
export function open(key: Buffer, sealed: string, context: string): Uint8Array {
  if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('unknown sealed format');
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  if (raw.length < 12 + 16) throw new Error('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]));
}
