/**
 * The plugin's own mariadbd (managed mode): a datadir made by mariadb-install-db under the
 * plugin's root, its own socket, port and pid file, started detached so customers' databases
 * keep answering when the host process stops, and adopted by the next start after a crash.
 *
 * The admin account is `hostplane_admin@localhost` with a generated password kept in
 * `<root>/admin.json` (0600), created once by `mariadbd --bootstrap`; it reaches the server
 * only over the socket. Customers' users are `name@'%'`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cmdline, isAlive, run, systemUser, waitFor } from './exec.js';

export const ADMIN_USER = 'hostplane_admin';

export interface ManagedOptions {
  root: string;
  port: number;
  host: string;
  mariadbd: string;
  installDb: string;
  bufferPoolMb: number;
}

export interface AdminCredentials {
  user: string;
  password: string;
}

/** Paths under the root. */
export function layoutOf(root: string) {
  const abs = path.resolve(root);
  return {
    root: abs,
    data: path.join(abs, 'data'),
    run: path.join(abs, 'run'),
    socket: path.join(abs, 'run', 'mariadbd.sock'),
    pidFile: path.join(abs, 'run', 'mariadbd.pid'),
    errorLog: path.join(abs, 'log', 'error.log'),
    /** mariadbd's temporary files (`--tmpdir`): its own, not the shared /tmp that others clean. */
    tmp: path.join(abs, 'tmp'),
    admin: path.join(abs, 'admin.json'),
    /** Written after the bootstrap succeeded: without it a datadir is half made and redone. */
    ready: path.join(abs, 'data', '.hostplane-ready'),
  };
}

export type Layout = ReturnType<typeof layoutOf>;

const START_TIMEOUT_MS = 60_000;
/** A loaded machine (CI, shared cores) can take far longer than the usual 3 s. */
const INSTALL_TIMEOUT_MS = 300_000;

/** The lines of mariadb-install-db's output that say what went wrong (it ends with boilerplate). */
function importantLines(output: string): string {
  const lines = output.split('\n').filter((l) => /error|fatal|abort|denied|timed out|cannot|can't/i.test(l));
  return (lines.length ? lines : output.trim().split('\n')).slice(-6).join('\n');
}
const STOP_TIMEOUT_MS = 60_000;

/** Start, adopt and stop one mariadbd. */
export class ManagedServer {
  readonly layout: Layout;

  constructor(private readonly options: ManagedOptions) {
    this.layout = layoutOf(options.root);
  }

  /** What is missing to run a managed server here, or null. */
  preflight(): string | null {
    const missing = [this.options.mariadbd, this.options.installDb].filter((f) => !existsSync(f));
    return missing.length ? `needs ${missing.join(' and ')} (apt-get install mariadb-server)` : null;
  }

  /** The pid of our mariadbd when one runs on our datadir (adoptable), else null. */
  async runningPid(): Promise<number | null> {
    const text = await fs.readFile(this.layout.pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
    // A recycled pid belongs to another program: ours names our datadir on its command line.
    return cmdline(pid).includes(`--datadir=${this.layout.data}`) ? pid : null;
  }

  /**
   * Make sure our server runs: adopt the one that does, or initialise the datadir when needed
   * and start one. Resolves with the admin credentials once the socket accepts connections
   * (`ping` says so); throws with the server's own words when it cannot start.
   */
  async ensureRunning(
    ping: (admin: AdminCredentials) => Promise<boolean>,
  ): Promise<{ admin: AdminCredentials; adopted: boolean }> {
    const adoptable = await this.runningPid();
    if (adoptable !== null) {
      const admin = await this.readAdmin();
      if (await waitFor(() => ping(admin), START_TIMEOUT_MS, 100)) return { admin, adopted: true };
      throw new Error(`mariadbd ${adoptable} runs on ${this.layout.data} but does not answer on ${this.layout.socket}`);
    }
    const owner = await this.owner();
    if (!existsSync(this.layout.ready)) await this.initialise(owner);
    const admin = await this.readAdmin();
    const child = await this.spawnServer(owner);
    // Ready when the socket takes our login; a server that exits (port taken, bad datadir) ends the wait.
    const up = await waitFor(async () => child.exited || (await ping(admin)), START_TIMEOUT_MS, 50);
    if (up && !child.exited) return { admin, adopted: false };
    throw new Error(`mariadbd did not start: ${await this.errorTail()}`);
  }

  /** Stop our server (TERM: a clean InnoDB shutdown); resolves when it is gone. */
  async stop(): Promise<void> {
    const pid = await this.runningPid();
    if (pid === null) return;
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(() => !isAlive(pid), STOP_TIMEOUT_MS, 50))) process.kill(pid, 'SIGKILL');
  }

  async readAdmin(): Promise<AdminCredentials> {
    return JSON.parse(await fs.readFile(this.layout.admin, 'utf8')) as AdminCredentials;
  }

  /** The last lines of the error log (why a start failed). */
  async errorTail(lines = 8): Promise<string> {
    const text = await fs.readFile(this.layout.errorLog, 'utf8').catch(() => '');
    const errors = text.split('\n').filter((l) => /\[ERROR\]/.test(l));
    return (errors.length ? errors : text.split('\n')).slice(-lines).join('\n').trim() || 'no output';
  }

  /** Who runs mariadbd: the `mysql` system user when we are root (mariadbd refuses root), else us. */
  private async owner(): Promise<{ name: string; uid: number; gid: number } | null> {
    if (process.getuid?.() !== 0) return null;
    const ids = await systemUser('mysql');
    if (!ids) throw new Error('running as root needs the system user "mysql" (apt-get install mariadb-server makes it)');
    return { name: 'mysql', ...ids };
  }

  /** A fresh datadir with only our admin account (no anonymous users, no test database). */
  private async initialise(owner: { name: string; uid: number; gid: number } | null): Promise<void> {
    const L = this.layout;
    await fs.rm(L.data, { recursive: true, force: true });
    for (const dir of [L.root, L.run, L.tmp, path.dirname(L.errorLog)]) await fs.mkdir(dir, { recursive: true, mode: 0o750 });
    // mariadbd (as mysql) creates its socket, temporary files and log here; the root stays traversable for it.
    await fs.chmod(L.root, 0o711);
    if (owner) for (const dir of [L.run, L.tmp, path.dirname(L.errorLog)]) await fs.chown(dir, owner.uid, owner.gid);
    const admin: AdminCredentials = { user: ADMIN_USER, password: randomBytes(24).toString('base64url') };
    await fs.writeFile(`${L.admin}.tmp`, JSON.stringify(admin), { mode: 0o600 });
    await fs.rename(`${L.admin}.tmp`, L.admin);
    const userArgs = owner ? [`--user=${owner.name}`] : [];
    const install = await run(
      this.options.installDb,
      [
        '--no-defaults',
        `--datadir=${L.data}`,
        ...userArgs,
        '--skip-test-db',
        '--skip-name-resolve',
        '--auth-root-authentication-method=socket',
        ...this.serverArgs(),
      ],
      { timeoutMs: INSTALL_TIMEOUT_MS },
    );
    if (install.code !== 0) throw new Error(`mariadb-install-db failed: ${importantLines(install.output)}`);
    // --bootstrap reads one statement per line; the password is base64url (no quote to escape).
    const sql = [
      'FLUSH PRIVILEGES;',
      "DROP USER IF EXISTS ''@'localhost';",
      `DROP USER IF EXISTS ''@'${os.hostname().replace(/[^A-Za-z0-9.-]/g, '')}';`,
      `CREATE USER '${ADMIN_USER}'@'localhost' IDENTIFIED BY '${admin.password}';`,
      `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'localhost' WITH GRANT OPTION;`,
      '',
    ].join('\n');
    const boot = await run(
      this.options.mariadbd,
      ['--no-defaults', '--bootstrap', `--datadir=${L.data}`, ...userArgs, ...this.serverArgs(), `--log-error=${L.errorLog}`],
      { input: sql, timeoutMs: INSTALL_TIMEOUT_MS },
    );
    if (boot.code !== 0) throw new Error(`creating the admin account failed: ${await this.errorTail()}`);
    await fs.writeFile(L.ready, new Date().toISOString());
    if (owner) await fs.chown(L.ready, owner.uid, owner.gid);
  }

  private serverArgs(): string[] {
    return [
      `--innodb-buffer-pool-size=${this.options.bufferPoolMb}M`,
      '--innodb-log-file-size=16M',
      `--tmpdir=${this.layout.tmp}`,
    ];
  }

  /** Start mariadbd in its own session: it outlives this process, which never waits for it. */
  private async spawnServer(owner: { name: string; uid: number; gid: number } | null): Promise<{ exited: boolean }> {
    const L = this.layout;
    await fs.rm(L.socket, { force: true });
    // A datadir made before --tmpdir was passed has no such folder yet.
    await fs.mkdir(L.tmp, { recursive: true, mode: 0o750 });
    if (owner) await fs.chown(L.tmp, owner.uid, owner.gid);
    const child = spawn(
      this.options.mariadbd,
      [
        '--no-defaults',
        `--datadir=${L.data}`,
        ...(owner ? [`--user=${owner.name}`] : []),
        `--socket=${L.socket}`,
        `--port=${this.options.port}`,
        `--bind-address=${this.options.host}`,
        `--pid-file=${L.pidFile}`,
        `--log-error=${L.errorLog}`,
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        ...this.serverArgs(),
      ],
      { detached: true, stdio: 'ignore' },
    );
    const state = { exited: false };
    child.on('error', () => (state.exited = true));
    child.on('exit', () => (state.exited = true));
    child.unref();
    return state;
  }
}
