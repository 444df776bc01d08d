/**
 * Worker-pool task: the disk space a site's tree takes, as `du` counts it (allocated blocks,
 * each hard-linked file once), without hurting the server: at most `opsPerSecond` file-system
 * calls (lstat, readdir) per task and `concurrency` in flight, and never a symbolic link
 * followed (a link to `/` counts as a link).
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface DiskUsageInput {
  root: string;
  /** File-system calls per second at most. */
  opsPerSecond: number;
  /** Calls in flight at most. */
  concurrency: number;
  /** Entries counted at most; beyond, the result is `truncated` (a tree of millions of files). */
  maxEntries: number;
}

export interface DiskUsage {
  bytes: number;
  files: number;
  dirs: number;
  /** File-system calls made. */
  ops: number;
  truncated: boolean;
  /** The root was not there (a site not applied yet): zero. */
  missing: boolean;
}

/** A token bucket refilled `perSecond` times a second, one call per token. */
function pacer(perSecond: number): () => Promise<void> {
  const interval = 1000 / perSecond;
  let next = Date.now();
  return async () => {
    const now = Date.now();
    next = Math.max(next, now - interval * Math.min(perSecond, 50)) + interval;
    const wait = next - now;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
}

export default async function diskUsage(input: DiskUsageInput): Promise<DiskUsage> {
  const out: DiskUsage = { bytes: 0, files: 0, dirs: 0, ops: 0, truncated: false, missing: false };
  const pace = pacer(Math.max(1, input.opsPerSecond));
  const seen = new Set<string>();
  const fsCall = async <T>(fn: () => Promise<T>): Promise<T> => {
    await pace();
    out.ops += 1;
    return fn();
  };
  const rootStat = await fsCall(() => lstat(input.root)).catch(() => null);
  if (!rootStat?.isDirectory()) return { ...out, missing: rootStat === null };
  out.bytes += rootStat.blocks * 512;
  out.dirs += 1;
  const queue: string[] = [input.root];
  let entries = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const dir = queue.shift();
      if (dir === undefined) return;
      const names = await fsCall(() => readdir(dir)).catch(() => [] as string[]);
      for (const name of names) {
        if (entries >= input.maxEntries) {
          out.truncated = true;
          queue.length = 0;
          return;
        }
        entries += 1;
        const full = path.join(dir, name);
        const st = await fsCall(() => lstat(full)).catch(() => null);
        if (!st) continue; // deleted meanwhile
        if (st.isDirectory()) {
          out.dirs += 1;
          out.bytes += st.blocks * 512;
          queue.push(full);
          continue;
        }
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        out.files += 1;
        out.bytes += st.blocks * 512;
      }
    }
  };
  // Workers pick folders as they appear; one that finds the queue empty while others still
  // list theirs would stop early, so each round waits for all and starts again while work remains.
  while (queue.length > 0) {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, queue.length)) }, worker));
  }
  return out;
}
