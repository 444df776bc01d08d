/**
 * Access tokens: compact JWS, HS256 only. The header is fixed on signing and checked exactly
 * on verifying, so `alg: none`, HS512 or an RS256 key-confusion attempt are all refused before
 * any signature math. Verification is stateless; the authenticator then checks the session
 * named by `sid`, which is what makes logout and suspension take effect at once.
 */
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createJWTSignatureMessage, encodeJWT } from '@oslojs/jwt';
import type { Role } from '@hostplane/sdk';
import { TokenExpired, TokenInvalid } from '../errors.js';
import { randomToken } from './crypto.js';

/** Claims of an access token. */
export interface AccessClaims {
  sub: string;
  role: Role;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

const HEADER_JSON = JSON.stringify({ alg: 'HS256', typ: 'JWT' });
// Clocks of several hosts disagree a little; a token "issued" slightly in the future is fine.
const LEEWAY_SECONDS = 30;

/** Sign an access token for a session; returns it with its claims. */
export function signAccessToken(
  key: KeyObject,
  input: { userId: string; role: Role; sessionId: string; ttlSeconds: number; now: Date },
): { token: string; claims: AccessClaims } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: AccessClaims = {
    sub: input.userId,
    role: input.role,
    sid: input.sessionId,
    jti: randomToken(20),
    iat,
    exp: iat + input.ttlSeconds,
  };
  const payloadJson = JSON.stringify(claims);
  const message = createJWTSignatureMessage(HEADER_JSON, payloadJson);
  const signature = createHmac('sha256', key).update(message).digest();
  return { token: encodeJWT(HEADER_JSON, payloadJson, signature), claims };
}

/** True when `value` has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}

/** The JSON object in a base64url part, or undefined. */
function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verify signature, algorithm and lifetime. Throws AUTH_ERR_TOKEN_INVALID / _EXPIRED.
 * Decoded with Buffer rather than @oslojs/jwt's parser: its JavaScript base64 decoder cost
 * ~40 µs per request, the whole of this function is now a few.
 */
export function verifyAccessToken(key: KeyObject, token: string, now: Date): AccessClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || !looksLikeJwt(token)) throw TokenInvalid();
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart);
  if (!header || header.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT') || 'crit' in header)
    throw TokenInvalid();
  const expected = createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest();
  const signature = Buffer.from(signaturePart, 'base64url');
  // The canonical encoding only: no second spelling of the same signature.
  if (signature.toString('base64url') !== signaturePart) throw TokenInvalid();
  if (signature.byteLength !== expected.byteLength || !timingSafeEqual(signature, expected)) throw TokenInvalid();

  const c = decodePart(payloadPart) as Partial<Record<keyof AccessClaims, unknown>> | undefined;
  if (
    !c ||
    typeof c.sub !== 'string' ||
    typeof c.sid !== 'string' ||
    typeof c.jti !== 'string' ||
    typeof c.role !== 'string' ||
    typeof c.iat !== 'number' ||
    typeof c.exp !== 'number'
  ) {
    throw TokenInvalid();
  }
  const nowSeconds = now.getTime() / 1000;
  if (c.iat > nowSeconds + LEEWAY_SECONDS) throw TokenInvalid();
  if (nowSeconds >= c.exp) throw TokenExpired();
  return c as AccessClaims;
}

/**
 * {@link verifyAccessToken} with a bounded memo of tokens already verified: a client sends the
 * same token for its whole life, and the HMAC plus decoding were a tenth of an authenticated
 * request. Keyed by the exact token string, so it answers only what verification would; the
 * lifetime is still checked every time, and revocation never depended on this (the session is
 * looked up on every request). One verifier per key: a new master secret starts empty.
 */
export class AccessTokenVerifier {
  private readonly verified = new Map<string, AccessClaims>();

  constructor(
    private readonly key: () => KeyObject,
    private readonly max = 10_000,
  ) {}

  verify(token: string, now: Date): AccessClaims {
    let claims = this.verified.get(token);
    if (!claims) {
      claims = verifyAccessToken(this.key(), token, now);
      // Oldest first out: Map keeps insertion order.
      if (this.verified.size >= this.max) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
    }
    if (now.getTime() / 1000 >= claims.exp) {
      this.verified.delete(token);
      throw TokenExpired();
    }
    return claims;
  }
}
