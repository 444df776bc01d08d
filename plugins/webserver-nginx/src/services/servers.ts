/**
 * The NGINX and PHP-FPM masters of managed mode: check, start (or adopt a running one whose
 * pidfile is valid), reload and stop. A reload resolves only once the new configuration serves.
 */
import { promises as fs } from 'node:fs';
import { childPids, cmdline, isRunning, readPid, run, runDaemonizing, waitFor, type RunResult } from './exec.js';

const RELOAD_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** Common to both masters. */
abstract class Master {
  abstract readonly label: string;
  protected abstract readonly pidFile: string;
  /** A fragment the master's command line must contain (its config path): proof the pid is ours. */
  protected abstract readonly signature: string;

  /** The running master's pid, or null when the pidfile is absent, stale or someone else's. */
  async pid(): Promise<number | null> {
    const pid = await readPid(this.pidFile);
    if (pid === null || !(await isRunning(pid))) return null;
    const cmd = await cmdline(pid);
    return cmd !== null && cmd.includes('master process') && cmd.includes(this.signature) ? pid : null;
  }

  /** Send QUIT (graceful stop) and wait for the master to exit. */
  async stop(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGQUIT');
    const gone = async (): Promise<boolean> => !(await isRunning(pid));
    if (!(await waitFor(gone, STOP_TIMEOUT_MS, 20))) {
      process.kill(pid, 'SIGTERM');
      await waitFor(gone, STOP_TIMEOUT_MS, 20);
    }
  }

  protected async startDaemon(file: string, args: string[]): Promise<number> {
    await fs.rm(this.pidFile, { force: true });
    const r = await runDaemonizing(file, args);
    if (r.code !== 0) throw new Error(`${this.label} did not start: ${lastLines(r.stderr)}`);
    let pid: number | null = null;
    if (!(await waitFor(async () => (pid = await this.pid()) !== null, 5_000))) {
      throw new Error(`${this.label} started but wrote no pidfile ${this.pidFile}`);
    }
    return pid as unknown as number;
  }
}

export class NginxMaster extends Master {
  readonly label = 'nginx';
  protected readonly signature: string;

  constructor(
    private readonly binary: string,
    private readonly prefix: string,
    private readonly conf: string,
    protected readonly pidFile: string,
  ) {
    super();
    this.signature = conf;
  }

  /** `nginx -t` on the whole configuration. */
  test(): Promise<RunResult> {
    return run(this.binary, ['-t', '-q', '-p', `${this.prefix}/`, '-c', this.conf]);
  }

  /** Start a master, or adopt a running one and reload it. Returns what happened. */
  async start(): Promise<'started' | 'adopted'> {
    if ((await this.pid()) !== null) {
      await this.reload();
      return 'adopted';
    }
    await this.startDaemon(this.binary, ['-p', `${this.prefix}/`, '-c', this.conf]);
    return 'started';
  }

  /**
   * Reload (HUP, what `nginx -s reload` sends) and wait until new workers run and the old ones
   * are gone or shutting down: from then on every new connection sees the new configuration.
   */
  async reload(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) {
      // Killed behind our back: the whole config is checked already, start it again.
      await this.startDaemon(this.binary, ['-p', `${this.prefix}/`, '-c', this.conf]);
      return;
    }
    const before = new Set(await childPids(pid));
    process.kill(pid, 'SIGHUP');
    const loaded = await waitFor(
      async () => {
        const now = await childPids(pid);
        if (!now.some((c) => !before.has(c))) return false;
        for (const old of now.filter((c) => before.has(c))) {
          const cmd = await cmdline(old);
          if (cmd !== null && !cmd.includes('shutting down')) return false;
        }
        return true;
      },
      RELOAD_TIMEOUT_MS,
      5,
    );
    if (!loaded)
      throw new Error(`nginx did not load the new configuration within ${RELOAD_TIMEOUT_MS / 1000}s (see its error.log)`);
  }

  /**
   * Reopen the log files (USR1, what `nginx -s reopen` sends) and wait until neither the master
   * nor a worker holds any of `moved` (files renamed away) open: from then on they are complete.
   * Without a running master nothing writes to them and this returns at once.
   */
  async reopen(moved: readonly string[]): Promise<void> {
    const pid = await this.pid();
    if (pid === null || moved.length === 0) return;
    const wanted = new Set(moved);
    process.kill(pid, 'SIGUSR1');
    const closed = await waitFor(
      async () => {
        for (const p of [pid, ...(await childPids(pid))]) {
          for (const target of await openFiles(p)) if (wanted.has(target)) return false;
        }
        return true;
      },
      RELOAD_TIMEOUT_MS,
      5,
    );
    if (!closed) throw new Error(`nginx did not reopen its logs within ${RELOAD_TIMEOUT_MS / 1000}s`);
  }
}

/** Paths of the files a process holds open (from /proc; [] when it is gone). */
async function openFiles(pid: number): Promise<string[]> {
  const dir = `/proc/${pid}/fd`;
  const fds = await fs.readdir(dir).catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => fs.readlink(`${dir}/${fd}`).catch(() => '')));
  return targets.filter((t) => t.startsWith('/'));
}

export class FpmMaster extends Master {
  readonly label: string;
  protected readonly signature: string;

  constructor(
    readonly version: string,
    private readonly binary: string,
    private readonly conf: string,
    protected readonly pidFile: string,
    private readonly logFile: string,
  ) {
    super();
    this.label = `php-fpm${version}`;
    this.signature = conf;
  }

  /** Root must say so (`-R`) or php-fpm refuses pools that run as root. */
  private get rootArgs(): string[] {
    return process.getuid?.() === 0 ? ['-R'] : [];
  }

  test(): Promise<RunResult> {
    return run(this.binary, ['-t', '-y', this.conf, ...this.rootArgs]);
  }

  async start(): Promise<'started' | 'adopted'> {
    if ((await this.pid()) !== null) {
      await this.reload();
      return 'adopted';
    }
    await this.startDaemon(this.binary, ['-y', this.conf, ...this.rootArgs]);
    return 'started';
  }

  /** USR2 re-executes the master with the new pools; it logs "ready to handle connections" when done. */
  async reload(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) {
      await this.start();
      return;
    }
    const offset = await fs.stat(this.logFile).then(
      (s) => s.size,
      () => 0,
    );
    process.kill(pid, 'SIGUSR2');
    const ready = await waitFor(
      async () => (await readFrom(this.logFile, offset)).includes('ready to handle connections'),
      RELOAD_TIMEOUT_MS,
      5,
    );
    if (!ready) throw new Error(`${this.label} did not reload within ${RELOAD_TIMEOUT_MS / 1000}s (see ${this.logFile})`);
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || 'no output';
}
