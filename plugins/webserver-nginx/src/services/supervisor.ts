/**
 * Runs each Node.js site's app: `command` as the site user in `<site>/app` with `PORT`, output
 * appended to `<site>/logs/app.log`, restarted on exit with exponential backoff (reset once it
 * has run for a while), stopped on remove, suspend and plugin stop. The pid is kept in a file so
 * a host that crashed can end its orphan before starting a new one on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { NodeAppSpec } from '@hostplane/sdk';
import { cmdline, isRunning, readPid, waitFor } from './exec.js';

export interface AppLaunch {
  name: string;
  spec: NodeAppSpec;
  cwd: string;
  logFile: string;
  uid: number;
  gid: number;
}

interface Running {
  launch: AppLaunch;
  /** JSON of the launch: a changed spec restarts the app. */
  key: string;
  child: ChildProcess | null;
  timer: NodeJS.Timeout | null;
  stopping: boolean;
  failures: number;
  startedAt: number;
  restarts: number;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
/** An app that ran this long is considered healthy again: the backoff starts over. */
const HEALTHY_AFTER_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export class AppSupervisor {
  private readonly apps = new Map<string, Running>();

  constructor(
    private readonly pidDir: string,
    private readonly onEvent: (name: string, event: string, detail?: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** Start the app, or restart it when its launch changed; no-op when it runs as asked. */
  async ensure(launch: AppLaunch): Promise<void> {
    const key = JSON.stringify(launch);
    const current = this.apps.get(launch.name);
    if (current && current.key === key && !current.stopping) return;
    if (current) await this.stop(launch.name);
    await this.killOrphan(launch.name);
    const entry: Running = { launch, key, child: null, timer: null, stopping: false, failures: 0, startedAt: 0, restarts: 0 };
    this.apps.set(launch.name, entry);
    this.spawn(entry);
  }

  /** Stop the app (TERM, then KILL after a grace period); idempotent. */
  async stop(name: string): Promise<void> {
    const entry = this.apps.get(name);
    this.apps.delete(name);
    if (entry) {
      entry.stopping = true;
      if (entry.timer) clearTimeout(entry.timer);
      const child = entry.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
    }
    await this.killOrphan(name);
    await fs.rm(this.pidFile(name), { force: true });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.apps.keys()].map((name) => this.stop(name)));
  }

  /** Pid of a running app, or null (for tests and status). */
  pid(name: string): number | null {
    return this.apps.get(name)?.child?.pid ?? null;
  }

  restarts(name: string): number {
    return this.apps.get(name)?.restarts ?? 0;
  }

  private pidFile(name: string): string {
    return path.join(this.pidDir, `app-${name}.pid`);
  }

  /** End an app left by a previous host process (its pidfile names a live process with our command). */
  private async killOrphan(name: string): Promise<void> {
    const pid = await readPid(this.pidFile(name));
    if (pid === null || !(await isRunning(pid))) return;
    const marker = await fs.readFile(`${this.pidFile(name)}.cmd`, 'utf8').catch(() => null);
    if (marker === null || (await cmdline(pid)) !== marker) return;
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(async () => !(await isRunning(pid)), STOP_GRACE_MS, 20))) process.kill(pid, 'SIGKILL');
  }

  private spawn(entry: Running): void {
    const { launch } = entry;
    const [file, ...args] = launch.spec.command;
    let fd: number;
    try {
      fd = openSync(launch.logFile, 'a', 0o640);
    } catch (err) {
      this.onEvent(launch.name, 'log-open-failed', { error: String(err) });
      this.scheduleRestart(entry);
      return;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      NODE_ENV: 'production',
      HOME: launch.cwd,
      ...launch.spec.env,
      PORT: String(launch.spec.port),
    };
    const isRoot = process.getuid?.() === 0;
    const child = spawn(file as string, args, {
      cwd: launch.cwd,
      env,
      stdio: ['ignore', fd, fd],
      ...(isRoot ? { uid: launch.uid, gid: launch.gid } : {}),
    });
    closeSync(fd);
    entry.child = child;
    entry.startedAt = Date.now();
    child.on('error', (err) => this.onEvent(launch.name, 'spawn-failed', { error: err.message }));
    if (child.pid !== undefined) {
      const pidFile = this.pidFile(launch.name);
      void fs
        .writeFile(pidFile, String(child.pid))
        .then(async () => {
          const cmd = await cmdline(child.pid as number);
          if (cmd !== null) await fs.writeFile(`${pidFile}.cmd`, cmd);
        })
        .catch(() => undefined);
    }
    child.on('exit', (code, signal) => {
      if (entry.stopping || this.apps.get(launch.name) !== entry) return;
      this.onEvent(launch.name, 'exited', { code, signal });
      this.scheduleRestart(entry);
    });
  }

  private scheduleRestart(entry: Running): void {
    if (Date.now() - entry.startedAt > HEALTHY_AFTER_MS) entry.failures = 0;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** entry.failures);
    entry.failures++;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (entry.stopping) return;
      entry.restarts++;
      this.spawn(entry);
    }, delay);
    entry.timer.unref();
  }
}
