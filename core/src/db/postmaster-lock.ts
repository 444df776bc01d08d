/**
 * Recovery from a crash of the process that ran the embedded PostgreSQL. Two things can be left
 * behind in the data directory: a `postmaster.pid` naming a process that is gone (or whose pid
 * now belongs to something else, which makes PostgreSQL refuse to start), and — when the host
 * was killed outright — the postmaster itself, still running without its parent.
 */
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@hostplane/sdk';
import { DbErrors } from './errors.js';

/** What we found, for logs and tests. */
export type PostmasterLockOutcome = 'none' | 'removed-stale' | 'stopped-orphan' | 'unknown';

/**
 * Make `pgDir` startable: remove a stale lock file, stop an orphaned postmaster of this very
 * directory, refuse (DB_ERR_EMBEDDED_IN_USE) when a live Node process still owns the server.
 */
export async function clearPostmasterLock(pgDir: string, logger?: Logger): Promise<PostmasterLockOutcome> {
  const lockFile = path.join(pgDir, 'postmaster.pid');
  const pid = await readLockPid(lockFile);
  if (pid === undefined) return 'none';
  if (pid === null || !(await isRunning(pid))) {
    await removeLock(lockFile);
    logger?.warn({ lockFile, pid }, 'removed stale postmaster.pid left by a crash');
    return 'removed-stale';
  }
  const args = await readCmdline(pid);
  // Without /proc (not Linux) we cannot tell; PostgreSQL's own check then decides.
  if (args === null) return 'unknown';
  if (!isPostmasterOf(args, pgDir)) {
    await removeLock(lockFile);
    logger?.warn({ lockFile, pid }, 'removed postmaster.pid whose pid now belongs to another program');
    return 'removed-stale';
  }
  const parent = (await readStat(pid))?.ppid;
  if (parent !== undefined && parent > 1 && (await isNodeProcess(parent))) {
    throw DbErrors.embeddedInUse(pgDir, pid);
  }
  logger?.warn({ pid, pgDir }, 'stopping embedded PostgreSQL orphaned by a crash');
  await stopOrphan(pid, pgDir);
  await removeLock(lockFile);
  return 'stopped-orphan';
}

/**
 * The port of a server on `pgDir` that a live Node process (another Hostplane process, e.g.
 * `npm start` while the CLI runs) owns, or undefined when there is none.
 */
export async function runningOwnedServerPort(pgDir: string): Promise<number | undefined> {
  const lockFile = path.join(pgDir, 'postmaster.pid');
  const pid = await readLockPid(lockFile);
  if (!pid || !(await isRunning(pid))) return undefined;
  const args = await readCmdline(pid);
  if (!args || !isPostmasterOf(args, pgDir)) return undefined;
  const parent = (await readStat(pid))?.ppid;
  if (parent === undefined || parent <= 1 || !(await isNodeProcess(parent))) return undefined;
  // postmaster.pid: line 4 is the port (PostgreSQL's documented layout).
  const port = Number.parseInt((await readFile(lockFile, 'utf8')).split('\n')[3] ?? '', 10);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** undefined: no lock file; null: unreadable content (a torn write). */
async function readLockPid(lockFile: string): Promise<number | null | undefined> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return (await readStat(pid))?.state !== 'Z';
}

/** State letter and parent pid from /proc; null where there is no /proc. */
async function readStat(pid: number): Promise<{ state: string; ppid: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces: read after the last ')'.
    const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number.parseInt(ppid, 10) };
  } catch {
    return null;
  }
}

async function readCmdline(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part !== '');
  } catch {
    return null;
  }
}

function isPostmasterOf(args: string[], pgDir: string): boolean {
  const [exe, ...rest] = args;
  if (exe === undefined || path.basename(exe) !== 'postgres') return false;
  const dirIndex = rest.indexOf('-D');
  const dir = dirIndex >= 0 ? rest[dirIndex + 1] : undefined;
  return dir !== undefined && path.resolve(dir) === path.resolve(pgDir);
}

async function isNodeProcess(pid: number): Promise<boolean> {
  const args = await readCmdline(pid);
  const exe = args?.[0];
  return exe !== undefined && /^node/.test(path.basename(exe));
}

async function stopOrphan(pid: number, pgDir: string): Promise<void> {
  // SIGINT = PostgreSQL's fast shutdown (rolls back open transactions, writes a checkpoint);
  // SIGQUIT = immediate shutdown (crash recovery on the next start) if that hangs.
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!(await isRunning(pid))) return;
      await sleep(50);
    }
  }
  throw DbErrors.embeddedStartFailed(pgDir, `an orphaned postmaster (pid ${pid}) would not stop`);
}

async function removeLock(lockFile: string): Promise<void> {
  await unlink(lockFile).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
