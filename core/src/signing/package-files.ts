/**
 * The files a signature covers: every file of the package except `node_modules` folders (at
 * any depth), `.git` and the signature file itself. A symbolic link is followed only to a file
 * inside the package; one that leaves it (or points at a folder) makes the package unsignable
 * and unverifiable, so a link cannot swap code in from elsewhere after signing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SigningErrors } from './errors.js';

/** The signature file's name at the package root. */
export const SIGNATURE_FILE = 'hostplane.sig.json';
/** More files than this is not a plugin package. */
const MAX_FILES = 20_000;
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** One signed file. */
export interface SignedFile {
  /** Relative path with `/` separators. */
  path: string;
  sha256: string;
  size: number;
}

/** Files up to this size are read at once; larger ones are streamed. */
const READ_AT_ONCE = 4 * 1024 * 1024;
/** Small files read synchronously, at most this many bytes between two turns of the event loop. */
const SYNC_SLICE_BYTES = 256 * 1024;
/** A file this small is read synchronously: a plugin is hundreds of small files, and each async read costs four thread-pool round trips (about three times the work at a boot). */
const SYNC_FILE_BYTES = 64 * 1024;

const sha256Of = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const { size } = await stat(path);
  if (size <= READ_AT_ONCE) {
    const data = await readFile(path);
    return { sha256: sha256Of(data), size: data.length };
  }
  const hash = createHash('sha256');
  let read = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size: read };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep);
}

/** Every file of the package at `dir`, sorted by path, with its SHA-256. */
export async function packageFiles(dir: string): Promise<SignedFile[]> {
  const root = await realpath(dir).catch(() => {
    throw SigningErrors.packageInvalid(dir, 'no such folder');
  });
  const paths: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
        continue;
      }
      if (rel === SIGNATURE_FILE) continue;
      if (entry.isSymbolicLink()) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        const target = await realpath(full).catch(() => undefined);
        if (!target || !inside(root, target))
          throw SigningErrors.packageInvalid(dir, `symbolic link ${rel} leads outside the package`);
        if (!(await stat(target)).isFile()) throw SigningErrors.packageInvalid(dir, `symbolic link ${rel} is not to a file`);
      } else if (!entry.isFile()) {
        throw SigningErrors.packageInvalid(dir, `${rel} is neither a file nor a folder`);
      }
      paths.push(rel);
      if (paths.length > MAX_FILES) throw SigningErrors.packageInvalid(dir, `more than ${MAX_FILES} files`);
    }
  };
  if (!(await lstat(root)).isDirectory()) throw SigningErrors.packageInvalid(dir, 'not a folder');
  await walk(root);
  paths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: SignedFile[] = [];
  let sliceBytes = 0;
  for (const path of paths) {
    const full = join(root, ...path.split('/'));
    const size = statSync(full).size;
    if (size > SYNC_FILE_BYTES) {
      files.push({ path, ...(await hashFile(full)) });
      continue;
    }
    const data = readFileSync(full);
    files.push({ path, sha256: sha256Of(data), size: data.length });
    sliceBytes += data.length + 4096;
    if (sliceBytes >= SYNC_SLICE_BYTES) {
      sliceBytes = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return files;
}
