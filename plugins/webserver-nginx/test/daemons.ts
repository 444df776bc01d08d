/**
 * Daemons a test left behind. A managed root's NGINX and PHP-FPM masters carry the root's path
 * on their command lines (`-c <root>/nginx/nginx.conf`, `master process (<root>/php/…)`), so
 * /proc says which are still alive even when a pidfile is gone. Since the masters outlive a host
 * that shuts down (they keep customers' sites up), every test that starts them stops them.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Live processes (not zombies) whose command line names `root`; synchronous for the exit hook. */
function scan(root: string): number[] {
  const prefix = `${path.resolve(root)}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    const read = (file: string): string => {
      try {
        return readFileSync(`/proc/${entry}/${file}`, 'utf8');
      } catch {
        return '';
      }
    };
    if (!read('cmdline').replace(/\0/g, ' ').includes(prefix)) continue;
    const stat = read('stat');
    if (stat && stat[stat.lastIndexOf(')') + 2] !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

/** Pids of live processes (not zombies) whose command line names `root`. */
export async function daemonsUnder(root: string): Promise<number[]> {
  return scan(root);
}

const roots = new Set<string>();

/**
 * Send QUIT to whatever still runs under `root` when this process exits, for any reason: a test
 * file that times out is ended without its teardowns.
 */
export function stopAtExit(root: string): void {
  if (roots.size === 0) {
    process.once('exit', () => {
      for (const r of roots) signal(scan(r), 'SIGQUIT');
    });
  }
  roots.add(root);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}

async function waitGone(root: string, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = await daemonsUnder(root);
    if (left.length === 0 || Date.now() >= end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stop whatever still runs under `root` (QUIT, then KILL): the safety net of a teardown. */
export async function stopDaemons(root: string): Promise<void> {
  signal(await daemonsUnder(root), 'SIGQUIT');
  signal(await waitGone(root, 10_000), 'SIGKILL');
  await waitGone(root, 5_000);
}

/**
 * The teardown check: throws (failing the test) when a daemon under `root` outlived the test's
 * own cleanup, after stopping it so nothing leaks into the next test or the machine.
 */
export async function assertNoDaemons(root: string): Promise<void> {
  const left = await waitGone(root, 2_000);
  if (left.length === 0) return;
  const lines = await Promise.all(
    left.map(async (pid) => `${pid} ${(await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ')}`),
  );
  await stopDaemons(root);
  throw new Error(`daemons left running under ${root}:\n${lines.join('\n')}`);
}

/**
 * Folders of a host's data dir where first-party plugins run daemons that outlive the host:
 * NGINX and PHP-FPM (`webserver`), the database drivers' MariaDB and PostgreSQL. A test that
 * starts a real host on a fresh data dir (whose first start enables every first-party plugin)
 * ends them all.
 */
export const DAEMON_DIRS = ['webserver', 'mariadb', 'postgresql'] as const;

/** {@link stopAtExit} for every daemon folder of a data dir. */
export function stopAtExitUnder(dataDir: string): void {
  for (const dir of DAEMON_DIRS) stopAtExit(path.join(dataDir, dir));
}

/** {@link stopDaemons} for every daemon folder of a data dir. */
export async function stopDaemonsUnder(dataDir: string): Promise<void> {
  for (const dir of DAEMON_DIRS) await stopDaemons(path.join(dataDir, dir));
}
