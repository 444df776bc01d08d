/**
 * A cheaper key for a local repository the plugin made with a password it made.
 *
 * restic stretches the password of every key with scrypt, calibrated at `init` to about half a
 * second of CPU (N=2^15, r=8, p≈7 on these machines), and pays that on every command: each
 * backup, listing, unlock and check. That protects a password a person chose. The plugin's
 * password is 32 random bytes: nothing is left to stretch, and on a host backing up a thousand
 * sites the stretching alone costs minutes of CPU a night. So right after `init` the plugin
 * re-wraps the repository's master key under the same password with scrypt at N=2^10, r=8,
 * p=1, checks that restic opens the repository with the new key, and deletes restic's first
 * key file (docs/decisions/0085).
 *
 * The key file format is restic's (doc/design.rst, "Keys, Encryption and MAC"): the user key is
 * scrypt(password, salt) → 32 bytes AES-256 key, 16 bytes AES-128 key k and 16 bytes Poly1305
 * key r; `data` is IV ‖ AES-256-CTR(master key JSON) ‖ Poly1305-AES(ciphertext, IV); the key's
 * id, and its file name, is the SHA-256 of the file.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** scrypt for the new key: ~2 ms instead of ~500 (the password carries 256 bits by itself). */
export const CHEAP_KDF = { N: 1024, r: 8, p: 1 } as const;

/** Only a password the plugin made (`randomBytes(32).toString('base64url')`) is re-wrapped. */
export function isGeneratedPassword(password: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(password);
}

interface KeyFile {
  created?: string;
  username?: string;
  hostname?: string;
  kdf: string;
  N: number;
  r: number;
  p: number;
  salt: string;
  data: string;
}

const derive = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

async function userKey(password: string, salt: Buffer, kdf: { N: number; r: number; p: number }) {
  const bytes = await derive(password, salt, 64, { ...kdf, maxmem: 256 * kdf.N * kdf.r + 64 * 1024 * 1024 });
  return { encryption: bytes.subarray(0, 32), macK: bytes.subarray(32, 48), macR: bytes.subarray(48, 64) };
}

/** Poly1305-AES (restic's MAC): Poly1305 with r and s = AES-128_k(nonce), over `message`. */
export function poly1305Aes(message: Buffer, nonce: Buffer, k: Buffer, r: Buffer): Buffer {
  const aes = createCipheriv('aes-128-ecb', k, null).setAutoPadding(false);
  const s = Buffer.concat([aes.update(nonce), aes.final()]);
  return poly1305(message, r, s);
}

const le = (bytes: Buffer): bigint => BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);

/** Poly1305 (RFC 8439, section 2.5) with its 16-byte r (clamped here) and s. */
export function poly1305(message: Buffer, r: Buffer, s: Buffer): Buffer {
  const p = (1n << 130n) - 5n;
  const clampedR = le(r) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const block = message.subarray(i, i + 16);
    acc = ((acc + le(block) + (1n << BigInt(8 * block.length))) * clampedR) % p;
  }
  const tag = (acc + le(s)) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, '0'), 'hex').reverse();
}

/** The master key JSON a key file wraps; throws when `password` does not open it. */
export async function unwrap(key: KeyFile, password: string): Promise<Buffer> {
  const user = await userKey(password, Buffer.from(key.salt, 'base64'), key);
  const data = Buffer.from(key.data, 'base64');
  const iv = data.subarray(0, 16);
  const ciphertext = data.subarray(16, data.length - 16);
  const mac = data.subarray(data.length - 16);
  if (!timingSafeEqual(poly1305Aes(ciphertext, iv, user.macK, user.macR), mac))
    throw new Error('the password does not open this key');
  const aes = createDecipheriv('aes-256-ctr', user.encryption, iv);
  return Buffer.concat([aes.update(ciphertext), aes.final()]);
}

/** A key file wrapping `master` under `password` with `kdf`. */
export async function wrap(master: Buffer, password: string, template: KeyFile, kdf = CHEAP_KDF): Promise<KeyFile> {
  const salt = randomBytes(64);
  const user = await userKey(password, salt, kdf);
  const iv = randomBytes(16);
  const aes = createCipheriv('aes-256-ctr', user.encryption, iv);
  const ciphertext = Buffer.concat([aes.update(master), aes.final()]);
  const mac = poly1305Aes(ciphertext, iv, user.macK, user.macR);
  return {
    ...template,
    kdf: 'scrypt',
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    salt: salt.toString('base64'),
    data: Buffer.concat([iv, ciphertext, mac]).toString('base64'),
  };
}

/**
 * Add the cheap key to the local repository at `folder` (which must hold exactly one key, the
 * one `init` made) and return its id and the file of the key it replaces; null when the
 * repository is not one to touch. The caller checks restic opens it, then calls `retire`
 * (or `discard`).
 */
export async function addCheapKey(
  folder: string,
  password: string,
): Promise<{ id: string; retire: () => Promise<void>; discard: () => Promise<void> } | null> {
  const keys = path.join(folder, 'keys');
  const names = await readdir(keys).catch(() => [] as string[]);
  if (names.length !== 1) return null;
  const original = path.join(keys, names[0]!);
  const key = JSON.parse(await readFile(original, 'utf8')) as KeyFile;
  if (key.kdf !== 'scrypt' || key.N * key.r * key.p <= CHEAP_KDF.N * CHEAP_KDF.r * CHEAP_KDF.p) return null;
  const bytes = Buffer.from(JSON.stringify(await wrap(await unwrap(key, password), password, key)));
  const id = createHash('sha256').update(bytes).digest('hex');
  // restic writes key files read-only; `wx`: never over another file.
  await writeFile(path.join(keys, id), bytes, { flag: 'wx', mode: (await stat(original)).mode & 0o777 });
  // retire: restic opened it, the first key goes; discard: it did not, the new one goes.
  return { id, retire: () => rm(original), discard: () => rm(path.join(keys, id), { force: true }) };
}

/**
 * The id of the cheap key of the local repository at `folder`, or null. Given to restic as
 * `--key-hint`: without it restic tries the keys in the order it lists them, and a recovery key
 * (`hostplane backups recovery-key`, stretched as restic does) listed first would cost its half
 * second on every command.
 */
export async function cheapKeyId(folder: string): Promise<string | null> {
  const keys = path.join(folder, 'keys');
  for (const name of await readdir(keys).catch(() => [] as string[])) {
    const key = (await readFile(path.join(keys, name), 'utf8')
      .then((text) => JSON.parse(text) as KeyFile)
      .catch(() => null)) as KeyFile | null;
    if (key && key.kdf === 'scrypt' && key.N === CHEAP_KDF.N && key.r === CHEAP_KDF.r && key.p === CHEAP_KDF.p) return name;
  }
  return null;
}
