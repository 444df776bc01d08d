/**
 * The host-wide lock for changes to the system's users and groups that pick their own ids.
 *
 * shadow's tools (useradd, newusers, groupadd) lock /etc/passwd and /etc/group only while they
 * run. A driver that reads the files, picks free ids in its band and then runs `newusers` with
 * them leaves a window in which another process (a second Hostplane process, the CLI, another
 * plugin) picks the same ids: two sites then share a uid, and the second never gets its own
 * group. Every Hostplane code path that chooses ids does so inside this lock, from reading the
 * files to the tool's exit.
 *
 * The lock is util-linux's `flock` on a file under /run/lock, held by a child process for as
 * long as its stdin is open: it is released when the work ends, and also when this process
 * dies, because the child then reads the end of its input. Where `flock` is missing (not Linux)
 * the work runs unlocked: those systems do not create site users.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The lock file: /run/lock is a tmpfs that no cleaner empties while the system runs. */
export const ACCOUNTS_LOCK_FILE = path.join(existsSync('/run/lock') ? '/run/lock' : os.tmpdir(), 'hostplane-accounts.lock');

/** How long to wait for another holder before giving up with an error. */
const LOCK_WAIT_SECONDS = 120;

/** A held lock: `release` ends it (idempotent). */
interface Held {
  release(): void;
}

function acquire(file: string): Promise<Held | null> {
  return new Promise((resolve, reject) => {
    // `flock FILE sh -c …`: sh prints once flock holds the lock, then waits for the end of its
    // input; flock releases when sh exits.
    const child = spawn(
      'flock',
      ['--exclusive', '--timeout', String(LOCK_WAIT_SECONDS), file, 'sh', '-c', 'echo locked; cat > /dev/null'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let settled = false;
    const release = (): void => {
      child.stdin.end();
    };
    // A holder killed from outside closes the pipe: ending it then must not throw EPIPE here.
    child.stdin.on('error', () => undefined);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (settled || !d.includes('locked')) return;
      settled = true;
      resolve({ release });
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (err.code === 'ENOENT') resolve(null);
      else reject(err);
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      reject(
        new Error(
          `could not lock ${file} within ${LOCK_WAIT_SECONDS} s (flock exited ${code ?? 'by a signal'}) ${stderr.trim()}`.trim(),
        ),
      );
    });
  });
}

/**
 * Run `work` while holding the host-wide accounts lock (see the module comment). Waits up to
 * 120 s for another holder, then rejects without running `work`; keep the work short: read the
 * files, run the tool, read them back.
 */
export async function withAccountsLock<T>(work: () => Promise<T>, file: string = ACCOUNTS_LOCK_FILE): Promise<T> {
  const held = await acquire(file);
  try {
    return await work();
  } finally {
    held?.release();
  }
}

/** What {@link retryWhileLocked} needs of a finished program. */
export interface ToolResult {
  code: number;
  stderr: string;
}

/**
 * Run a shadow tool (useradd, usermod, userdel, newusers, groupadd, chpasswd) again while it
 * fails because another process holds /etc/passwd or /etc/group: those tools give up at once
 * ("cannot lock /etc/passwd; try again later") and change nothing. Up to 8 tries, 50 ms to
 * 6.4 s apart; any other outcome is returned as it is.
 */
export async function retryWhileLocked<R extends ToolResult>(runOnce: () => Promise<R>, attempts = 8): Promise<R> {
  let result = await runOnce();
  for (let attempt = 1; attempt < attempts && result.code !== 0 && /lock|try again/i.test(result.stderr); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
    result = await runOnce();
  }
  return result;
}
