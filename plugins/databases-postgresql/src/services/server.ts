/**
 * The plugin's own PostgreSQL cluster (managed mode): `initdb` under the plugin's root with
 * scram-sha-256 for every connection (customers log in with passwords, over TCP), its own
 * socket folder, port and log; `postgres` started detached so customers' databases keep answering
 * when the host process stops, and adopted by the next start after a crash.
 *
 * The admin role is `hostplane_admin` (the cluster's superuser), its generated password in
 * `<root>/admin.json` (0600). When the host runs as root the cluster runs as the `postgres`
 * system user (postgres refuses root).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, closeSync, existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { cmdline, isAlive, run, systemUser, waitFor } from './exec.js';

export const ADMIN_USER = 'hostplane_admin';

export interface ManagedOptions {
  root: string;
  port: number;
  host: string;
  binDir: string;
}

export interface AdminCredentials {
  user: string;
  password: string;
}

type Owner = { uid: number; gid: number } | null;

export function layoutOf(root: string) {
  const abs = path.resolve(root);
  return {
    root: abs,
    data: path.join(abs, 'data'),
    run: path.join(abs, 'run'),
    log: path.join(abs, 'log', 'postgres.log'),
    admin: path.join(abs, 'admin.json'),
    /** Written after initdb succeeded: without it a cluster is half made and redone. */
    ready: path.join(abs, '.initialised'),
  };
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

export class ManagedCluster {
  readonly layout: ReturnType<typeof layoutOf>;

  constructor(private readonly options: ManagedOptions) {
    this.layout = layoutOf(options.root);
  }

  private bin(name: string): string {
    return path.join(this.options.binDir, name);
  }

  preflight(): string | null {
    const missing = ['initdb', 'postgres'].map((b) => this.bin(b)).filter((f) => !existsSync(f));
    return missing.length ? `needs ${missing.join(' and ')} (apt-get install postgresql)` : null;
  }

  /** The postmaster's pid when ours runs (its pid file names a live process started on our data folder). */
  async runningPid(): Promise<number | null> {
    const text = await fs.readFile(path.join(this.layout.data, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(text.split('\n')[0]?.trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
    return cmdline(pid).includes(`-D ${this.layout.data}`) ? pid : null;
  }

  /** Adopt the running cluster or start it (initialising it first when needed). */
  async ensureRunning(
    ping: (admin: AdminCredentials) => Promise<boolean>,
  ): Promise<{ admin: AdminCredentials; adopted: boolean }> {
    if ((await this.runningPid()) !== null) {
      const admin = await this.readAdmin();
      if (await waitFor(() => ping(admin), START_TIMEOUT_MS, 100)) return { admin, adopted: true };
      throw new Error(`postgres runs on ${this.layout.data} but does not take the admin login`);
    }
    const owner = await this.owner();
    if (!existsSync(this.layout.ready)) await this.initialise(owner);
    const admin = await this.readAdmin();
    const child = await this.spawnServer(owner);
    const up = await waitFor(async () => child.exited || (await ping(admin)), START_TIMEOUT_MS, 50);
    if (up && !child.exited) return { admin, adopted: false };
    throw new Error(`postgres did not start: ${await this.logTail()}`);
  }

  /** Fast shutdown (SIGINT: sessions end, data is safe); resolves when it is gone. */
  async stop(): Promise<void> {
    const pid = await this.runningPid();
    if (pid === null) return;
    process.kill(pid, 'SIGINT');
    if (!(await waitFor(() => !isAlive(pid), STOP_TIMEOUT_MS, 50))) process.kill(pid, 'SIGKILL');
  }

  async readAdmin(): Promise<AdminCredentials> {
    return JSON.parse(await fs.readFile(this.layout.admin, 'utf8')) as AdminCredentials;
  }

  async logTail(lines = 6): Promise<string> {
    const text = await fs.readFile(this.layout.log, 'utf8').catch(() => '');
    const important = text.split('\n').filter((l) => /(FATAL|ERROR|PANIC):/.test(l));
    return (important.length ? important : text.split('\n')).slice(-lines).join('\n').trim() || 'no output';
  }

  private async owner(): Promise<Owner> {
    if (process.getuid?.() !== 0) return null;
    const ids = await systemUser('postgres');
    if (!ids) throw new Error('running as root needs the system user "postgres" (apt-get install postgresql makes it)');
    return ids;
  }

  private async initialise(owner: Owner): Promise<void> {
    const L = this.layout;
    await fs.rm(L.data, { recursive: true, force: true });
    for (const dir of [L.root, L.run, path.dirname(L.log)]) await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    await fs.chmod(L.root, 0o711);
    // initdb wants an empty data folder of the cluster's user, 0700.
    await fs.mkdir(L.data, { mode: 0o700 });
    if (owner) for (const dir of [L.data, L.run, path.dirname(L.log)]) await fs.chown(dir, owner.uid, owner.gid);
    const admin: AdminCredentials = { user: ADMIN_USER, password: randomBytes(24).toString('base64url') };
    await fs.writeFile(`${L.admin}.tmp`, JSON.stringify(admin), { mode: 0o600 });
    await fs.rename(`${L.admin}.tmp`, L.admin);
    // initdb reads the password from a file the cluster's user can read; removed right after.
    const pwfile = path.join(L.run, '.admin-password');
    await fs.writeFile(pwfile, `${admin.password}\n`, { mode: 0o600 });
    if (owner) await fs.chown(pwfile, owner.uid, owner.gid);
    try {
      const init = await this.runAs(owner, this.bin('initdb'), [
        '-D',
        L.data,
        '-U',
        ADMIN_USER,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ]);
      if (init.code !== 0) throw new Error(`initdb failed: ${init.output.trim().split('\n').slice(-5).join('\n')}`);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
    await fs.writeFile(L.ready, new Date().toISOString());
  }

  private runAs(owner: Owner, file: string, args: string[]) {
    if (!owner) return run(file, args);
    return new Promise<{ code: number; output: string }>((resolve) => {
      const child = spawn(file, args, { uid: owner.uid, gid: owner.gid, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.on('error', (err) => resolve({ code: 127, output: output + err.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, output }));
    });
  }

  /** Start the postmaster in its own session, output appended to the log; it outlives this process. */
  private async spawnServer(owner: Owner): Promise<{ exited: boolean }> {
    const L = this.layout;
    const fd = openSync(L.log, 'a', 0o640);
    if (owner) await fs.chown(L.log, owner.uid, owner.gid);
    try {
      const child = spawn(
        this.bin('postgres'),
        [
          '-D',
          L.data,
          '-p',
          String(this.options.port),
          '-k',
          L.run,
          '-c',
          `listen_addresses=${this.options.host}`,
          '-c',
          'logging_collector=off',
        ],
        { detached: true, stdio: ['ignore', fd, fd], cwd: '/', ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) },
      );
      const state = { exited: false };
      child.on('error', () => (state.exited = true));
      child.on('exit', () => (state.exited = true));
      child.unref();
      return state;
    } finally {
      closeSync(fd);
    }
  }
}
