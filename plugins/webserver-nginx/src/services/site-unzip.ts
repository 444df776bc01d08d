/**
 * Unzip for the file manager (decision 0053). The archive's bytes are read as the site's user;
 * yauzl (pure JavaScript) reads its directory here and every entry is checked before anything
 * is written: names with `checkSitePath`'s rules (no `..`, absolute paths, NUL, look-alikes,
 * long names), regular files and folders only (no links, devices, encrypted entries), at most
 * `maxEntries` entries and `maxBytes` declared bytes, no name twice. The inflated bytes then
 * stream to a process running as the site's user (site-unzip-worker.ts) that writes them into a
 * scratch folder and moves them into place only when all arrived; yauzl checks each entry's
 * actual size against the declared one, so a lying entry (a zip bomb) stops the stream and
 * nothing is left behind.
 */
import { spawn } from 'node:child_process';
import { checkSitePath, SiteFileRefused, type SiteFileLimits } from '@hostplane/sdk';
import yauzl from 'yauzl';
import { UNZIP_WORKER } from './site-unzip-worker.js';

export interface PlannedEntry {
  segments: string[];
  type: 'file' | 'directory';
  size: number;
  entry: yauzl.Entry;
}

export type Owner = { uid: number; gid: number } | null;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
/** yauzl's own words for a bad archive become a refusal with reason `archive`, never a 500. */
const refuseArchive = (err: unknown) =>
  SiteFileRefused('archive', `not a zip archive that can be extracted: ${(err as Error).message}`);

function open(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(
      buffer,
      // strictFileNames: a backslash is an error, not a separator; validateEntrySizes: an entry
      // that inflates to more (or less) than it declares fails its stream.
      { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true },
      (err, zip) => (err ? reject(refuseArchive(err)) : resolve(zip)),
    ),
  );
}

/** Every entry checked against the rules, or a refusal; the zip stays open for reading. */
export async function planArchive(
  buffer: Buffer,
  limits: SiteFileLimits,
): Promise<{ zip: yauzl.ZipFile; entries: PlannedEntry[]; bytes: number }> {
  const zip = await open(buffer);
  if (zip.entryCount > limits.maxEntries)
    throw SiteFileRefused('too-many', `the archive holds ${zip.entryCount} entries; at most ${limits.maxEntries}`);
  const entries: PlannedEntry[] = [];
  const seen = new Map<string, 'file' | 'directory'>();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', (err: unknown) => reject(refuseArchive(err)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        entries.push(checkEntry(entry, seen));
        bytes += entry.uncompressedSize;
        if (bytes > limits.maxBytes)
          throw SiteFileRefused('too-large', `the archive unpacks to more than ${limits.maxBytes} bytes`);
        zip.readEntry();
      } catch (err) {
        zip.close();
        reject(err);
      }
    });
    zip.readEntry();
  });
  return { zip, entries, bytes };
}

function checkEntry(entry: yauzl.Entry, seen: Map<string, 'file' | 'directory'>): PlannedEntry {
  const name = entry.fileName;
  const shown = JSON.stringify(name.slice(0, 100));
  const type = name.endsWith('/') ? 'directory' : 'file';
  // The path rules of every other operation; their message names the entry.
  let segments: string[];
  try {
    segments = checkSitePath(name);
  } catch (err) {
    throw SiteFileRefused('archive', `entry ${(err as Error).message}`);
  }
  if (segments.length === 0) throw SiteFileRefused('archive', `entry ${shown} has no name`);
  // Unix modes sit in the high 16 bits of the external attributes when made on Unix (3).
  const unixMode = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
  if (unixMode !== 0 && unixMode !== (type === 'directory' ? S_IFDIR : S_IFREG)) {
    throw SiteFileRefused('archive', `entry ${shown} is a link or a special file; only files and folders are extracted`);
  }
  if (entry.isEncrypted()) throw SiteFileRefused('archive', `entry ${shown} is encrypted`);
  if (type === 'file' && entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw SiteFileRefused(
      'archive',
      `entry ${shown} uses compression method ${entry.compressionMethod}; only stored and deflated entries are extracted`,
    );
  }
  const key = segments.join('/');
  if (seen.has(key)) throw SiteFileRefused('archive', `entry ${shown} appears twice`);
  // A file cannot also be a folder on the way to another entry, in either order.
  for (let i = 1; i < segments.length; i++) {
    if (seen.get(segments.slice(0, i).join('/')) === 'file') throw SiteFileRefused('archive', `entry ${shown} is inside a file`);
    seen.set(segments.slice(0, i).join('/'), seen.get(segments.slice(0, i).join('/')) ?? 'directory');
  }
  if (type === 'file' && seen.get(key) === 'directory') throw SiteFileRefused('archive', `entry ${shown} is a folder too`);
  seen.set(key, type);
  return { segments, type, size: type === 'file' ? entry.uncompressedSize : 0, entry };
}

function readStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

interface WorkerAnswer {
  ok?: { entries: number; bytes: number };
  error?: { kind: string; code: string | null; message: string };
}

/**
 * Stream the planned entries to the writer running as `owner`. Resolves with its answer; a
 * stream failure (a lying size, corrupt data) ends the input early so the writer cleans up, and
 * is reported instead of the writer's "ended early".
 */
export async function extractAs(
  owner: Owner,
  root: string,
  into: string[],
  plan: { zip: yauzl.ZipFile; entries: PlannedEntry[] },
  timeoutMs: number,
): Promise<WorkerAnswer> {
  const child = spawn(process.execPath, ['-e', UNZIP_WORKER], {
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: timeoutMs,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin' },
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  // The writer may stop reading (it failed already): its answer says why, not EPIPE.
  child.stdin.on('error', () => undefined);
  const closed = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const header = { root, into, entries: plan.entries.map(({ segments, type, size }) => ({ segments, type, size })) };
  let streamError: unknown = null;
  try {
    await write(child.stdin, `${JSON.stringify(header)}\n`);
    for (const e of plan.entries) {
      if (e.type !== 'file' || child.stdin.destroyed) continue;
      const stream = await readStream(plan.zip, e.entry);
      // Never more than declared reaches the writer, whatever the inflater does.
      let sent = 0;
      for await (const chunk of stream) {
        sent += (chunk as Buffer).length;
        if (sent > e.size) throw new Error(`${e.segments.join('/')} inflates beyond its declared ${e.size} bytes`);
        await write(child.stdin, chunk as Buffer);
      }
    }
  } catch (e) {
    streamError = e;
  } finally {
    plan.zip.close();
    child.stdin.end();
  }
  await closed;
  let answer: WorkerAnswer;
  try {
    answer = JSON.parse(out) as WorkerAnswer;
  } catch {
    throw new Error(`unzip failed: ${err.trim().split('\n').slice(-3).join(' ') || 'no answer'}`);
  }
  if (streamError && !answer.error?.kind.match(/^(missing|outside|exists|type)$/)) throw refuseArchive(streamError);
  return answer;
}

function write(stream: NodeJS.WritableStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(data)) resolve();
    else {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    }
  });
}
