/**
 * The key file in the data directory: written once at first start, replaced only by a rotation
 * that committed. Writes go to a temporary file (0600, fsynced) renamed into place, so a crash
 * leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SecretsErrors } from './errors.js';
import { secretKey, type SecretKey } from './envelope.js';

/** The key file's name in the data directory. */
export const KEY_FILE = 'secret.key';
/** A rotation's new key, written before its transaction and renamed over the key file after commit. */
export const NEXT_KEY_FILE = 'secret.key.next';

const HEADER = 'hostplane-secret-key:1:';

/** The text of a key file (one line); also what `HOSTPLANE_SECRET_KEY` may hold, header or not. */
export function formatKey(key: SecretKey): string {
  return `${HEADER}${key.material.toString('base64')}\n`;
}

/** Parse a key from a file's text or an environment variable; `where` names it in errors. */
export function parseKey(text: string, where: string): SecretKey {
  const body = text.trim().startsWith(HEADER) ? text.trim().slice(HEADER.length) : text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) throw SecretsErrors.keyInvalid(where, 'expected 32 bytes in base64');
  const material = Buffer.from(body, body.includes('-') || body.includes('_') ? 'base64url' : 'base64');
  if (material.length !== 32) {
    throw SecretsErrors.keyInvalid(where, `expected 32 bytes in base64, got ${material.length}`);
  }
  return secretKey(material);
}

/** Read a key file; undefined when it does not exist. */
export async function readKeyFile(path: string): Promise<SecretKey | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw SecretsErrors.keyInvalid(path, (error as Error).message);
  }
  return parseKey(text, path);
}

/** File mode bits of a key file, to warn about a key others can read. */
export async function keyFileMode(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Write `key` to `path` atomically with mode 0600 (creating the folder, 0700, when missing).
 * With `replace: false` an existing file is kept (hard link, which refuses to overwrite) and the
 * answer is false: two first starts sharing a folder end up with one key, not the last one.
 */
export async function writeKeyFile(path: string, key: SecretKey, options: { replace?: boolean } = {}): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(formatKey(key), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.replace === false) await link(temp, path);
    else await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  if (options.replace === false) await rm(temp, { force: true });
  await fsyncDir(dir);
  return true;
}

/** Rename `from` over `to` and make the rename durable. */
export async function replaceKeyFile(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(dirname(to));
}

/** Remove a key file left by a rotation that never committed. */
export async function removeKeyFile(path: string): Promise<void> {
  await rm(path, { force: true });
  await fsyncDir(dirname(path)).catch(() => undefined);
}
