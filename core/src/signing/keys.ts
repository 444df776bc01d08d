/**
 * Ed25519 signer keys (node:crypto). A public key travels as 44 characters of base64 (the raw
 * 32 bytes), optionally behind `hostplane-signer:1:`; its id is 16 hex digits of its SHA-256.
 * A private key is a PKCS#8 PEM file, mode 0600.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { SigningErrors } from './errors.js';

const HEADER = 'hostplane-signer:1:';

/** A public signer key. */
export interface SignerKey {
  keyId: string;
  /** base64 of the raw 32 bytes. */
  publicKey: string;
}

/** The id of a public key (raw bytes in base64). */
export function signerKeyId(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16);
}

/** The raw public key of an ed25519 KeyObject, base64. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw SigningErrors.keyInvalid('given', 'not an ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** Parse a public key from its text (file content or argument). */
export function parsePublicKey(text: string, where = 'given'): SignerKey {
  const body = text.trim().startsWith(HEADER) ? text.trim().slice(HEADER.length) : text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(body) || Buffer.from(body, 'base64').length !== 32) {
    throw SigningErrors.keyInvalid(where, 'expected an ed25519 public key: 32 bytes in base64 (44 characters)');
  }
  return { keyId: signerKeyId(body), publicKey: body };
}

/** The text of a public key file. */
export function formatPublicKey(key: SignerKey): string {
  return `${HEADER}${key.publicKey}\n`;
}

/** A KeyObject for verifying with `publicKey` (base64 raw). */
export function publicKeyObject(publicKey: string): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'base64').toString('base64url') },
    format: 'jwk',
  });
}

/** Parse a private key PEM; throws SIGNING_ERR_KEY_INVALID unless it is ed25519. */
export function parsePrivateKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw SigningErrors.keyInvalid(where, (error as Error).message);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw SigningErrors.keyInvalid(where, `it is ${key.asymmetricKeyType ?? 'not'} an ed25519 key`);
  return key;
}

/** A new key pair: the private PEM and the public key. */
export function generateSignerKeyPair(): { privatePem: string; key: SignerKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    key: { keyId: signerKeyId(raw), publicKey: raw },
  };
}

/** Write a file that must not exist yet, with `mode` (a key never overwrites another). */
export async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
