/**
 * AES-256-GCM envelopes: one string per secret, `hpsec:1:<key id>:<iv>:<ciphertext>:<tag>`
 * (base64url parts). The additional authenticated data binds the ciphertext to its version, key
 * id, purpose and context (a plugin id and field path, a role name …): a ciphertext copied to
 * another plugin, field or purpose fails to decrypt instead of revealing its value there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SecretsErrors } from './errors.js';

/** A 256-bit key with its id (a fingerprint, safe to store and show). */
export interface SecretKey {
  id: string;
  material: Buffer;
}

const PREFIX = 'hpsec';
const VERSION = '1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PURPOSE = /^[a-z][a-z0-9.-]{0,63}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;
/** An encrypted value is never longer than this (a config secret is a password or a token). */
const MAX_PLAINTEXT = 64 * 1024;

/** The id of a key: 16 hex digits of a domain-separated SHA-256 (does not reveal the key). */
export function keyIdOf(material: Buffer): string {
  return createHash('sha256').update('hostplane-secret-key-id\0').update(material).digest('hex').slice(0, 16);
}

/** A key from 32 bytes. */
export function secretKey(material: Buffer): SecretKey {
  if (material.length !== 32) throw SecretsErrors.keyInvalid('memory', `a key is 32 bytes, got ${material.length}`);
  return { id: keyIdOf(material), material: Buffer.from(material) };
}

/** A new random key. */
export function generateSecretKey(): SecretKey {
  return secretKey(randomBytes(32));
}

/** True when `value` has the shape of an envelope (it may still fail to decrypt). */
export function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${PREFIX}:${VERSION}:`);
}

/** The key id an envelope names, without decrypting it. */
export function envelopeKeyId(envelope: string): string {
  return parse(envelope).keyId;
}

function aad(keyId: string, purpose: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}:${VERSION}:${keyId}\0${purpose}\0${context}`, 'utf8');
}

function checkPurpose(purpose: string): void {
  if (!PURPOSE.test(purpose)) throw SecretsErrors.purposeInvalid(purpose);
}

/**
 * Encrypt `plaintext` for `purpose` (e.g. `plugin-config`, `database-role`) and `context` (what
 * it belongs to, e.g. `hello\0/apiKey`). The same purpose and context must be given to decrypt.
 */
export function encryptSecret(key: SecretKey, purpose: string, context: string, plaintext: string): string {
  checkPurpose(purpose);
  const data = Buffer.from(plaintext, 'utf8');
  if (data.length > MAX_PLAINTEXT) throw SecretsErrors.envelopeInvalid(`a secret is at most ${MAX_PLAINTEXT} bytes`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(key.id, purpose, context));
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const parts = [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return [PREFIX, VERSION, key.id, ...parts].join(':');
}

interface Parsed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parse(envelope: string): Parsed {
  if (typeof envelope !== 'string') throw SecretsErrors.envelopeInvalid('not a string');
  if (envelope.length > MAX_PLAINTEXT * 2) throw SecretsErrors.envelopeInvalid('too long');
  const parts = envelope.split(':');
  if (parts.length !== 6 || parts[0] !== PREFIX) throw SecretsErrors.envelopeInvalid('not an hpsec envelope');
  if (parts[1] !== VERSION) throw SecretsErrors.envelopeInvalid(`unknown version "${String(parts[1]).slice(0, 8)}"`);
  const [, , keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string, string];
  if (!/^[0-9a-f]{16}$/.test(keyId)) throw SecretsErrors.envelopeInvalid('bad key id');
  if (![iv, ciphertext, tag].every((p) => B64URL.test(p))) throw SecretsErrors.envelopeInvalid('bad encoding');
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw SecretsErrors.envelopeInvalid('bad iv or tag');
  return parsed;
}

/**
 * Decrypt an envelope made by {@link encryptSecret} with the same purpose and context. `keys`
 * are looked up by the id the envelope names. Throws SECRETS_ERR_KEY_MISSING when that key is
 * not among them, SECRETS_ERR_DECRYPT_FAILED when the value or its binding was tampered with.
 */
export function decryptSecret(keys: ReadonlyMap<string, SecretKey>, purpose: string, context: string, envelope: string): string {
  checkPurpose(purpose);
  const parsed = parse(envelope);
  const key = keys.get(parsed.keyId);
  if (!key) throw SecretsErrors.keyMissing(parsed.keyId, `known keys: ${[...keys.keys()].join(', ') || 'none'}`);
  const decipher = createDecipheriv('aes-256-gcm', key.material, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(parsed.keyId, purpose, context));
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw SecretsErrors.decryptFailed(purpose, context.replaceAll('\0', ' '));
  }
}
