/**
 * Managed mode's pdns_server: write its config under the data directory, start it detached (it
 * keeps answering DNS when the host process stops or crashes), adopt a running one whose
 * pidfile and command line are ours, restart it when its config changed, and stop it.
 *
 * Layout under the root: `etc/pdns.conf` (0600: database password and API key), `run/pdns.pid`
 * and the control socket, `secrets.json` (the generated API key and database password, kept so an
 * adopted server and a restarted host agree), `log/pdns.log`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, promises as fs, openSync } from 'node:fs';
import path from 'node:path';
import { renderPdnsConf } from '../render/pdns-conf.js';
import { ensureDatabase, type PdnsDatabase } from './database.js';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ManagedOptions {
  root: string;
  binary: string;
  listenAddress: string;
  dnsPort: number;
  apiPort: number;
  databaseUrl: string;
  databaseName: string;
  schemaFile: string;
}

interface Secrets {
  apiKey: string;
  dbPassword: string;
}

export class ManagedServer {
  readonly etcDir: string;
  readonly runDir: string;
  readonly logFile: string;
  private secrets: Secrets | null = null;

  constructor(private readonly o: ManagedOptions) {
    this.etcDir = path.join(o.root, 'etc');
    this.runDir = path.join(o.root, 'run');
    this.logFile = path.join(o.root, 'log', 'pdns.log');
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.o.apiPort}`;
  }

  get listen(): string {
    return `${this.o.listenAddress.includes(':') ? `[${this.o.listenAddress}]` : this.o.listenAddress}:${this.o.dnsPort}`;
  }

  /** The API key; empty before the first start has read or made it. */
  apiKey(): string {
    return this.secrets?.apiKey ?? '';
  }

  /** Why this cannot run here, or null. */
  async preflight(): Promise<string | null> {
    const missing: string[] = [];
    for (const file of [this.o.binary, this.o.schemaFile]) {
      if (
        !(await fs.access(file).then(
          () => true,
          () => false,
        ))
      )
        missing.push(file);
    }
    if (missing.length > 0) return `${missing.join(' and ')} not found (apt-get install pdns-server pdns-backend-pgsql)`;
    return null;
  }

  /** Start pdns_server, or adopt the running one (restarting it when its config changed). */
  async start(): Promise<'started' | 'adopted' | 'restarted'> {
    await fs.mkdir(this.etcDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.runDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(path.dirname(this.logFile), { recursive: true, mode: 0o700 });
    const secrets = await this.loadSecrets();
    const database: PdnsDatabase = await ensureDatabase(
      this.o.databaseUrl,
      this.o.databaseName,
      secrets.dbPassword,
      this.o.schemaFile,
    );
    const conf = renderPdnsConf({
      socketDir: this.runDir,
      listenAddress: this.o.listenAddress,
      dnsPort: this.o.dnsPort,
      apiPort: this.o.apiPort,
      apiKey: secrets.apiKey,
      database,
    });
    const confFile = path.join(this.etcDir, 'pdns.conf');
    const old = await fs.readFile(confFile, 'utf8').catch(() => null);
    const running = await this.pid();
    if (running !== null && old === conf) {
      await this.waitReady();
      return 'adopted';
    }
    if (running !== null) await this.stop();
    await fs.writeFile(confFile, conf, { mode: 0o600 });
    await this.spawnServer();
    return running !== null ? 'restarted' : 'started';
  }

  /** The running server's pid, or null when the pidfile is absent, stale or not our server. */
  async pid(): Promise<number | null> {
    const text = await fs.readFile(path.join(this.runDir, 'pdns.pid'), 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    if (cmd === null) return null;
    return cmd.includes('pdns_server') && cmd.includes(`--config-dir=${this.etcDir}`) ? pid : null;
  }

  /** TERM, then KILL after a grace period; waits until the process is gone. */
  async stop(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGTERM');
    if (!(await waitFor(async () => !alive(pid), STOP_TIMEOUT_MS))) {
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => !alive(pid), STOP_TIMEOUT_MS);
    }
    await fs.rm(path.join(this.runDir, 'pdns.pid'), { force: true });
  }

  private async loadSecrets(): Promise<Secrets> {
    if (this.secrets) return this.secrets;
    const file = path.join(this.o.root, 'secrets.json');
    const stored = await fs.readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as Partial<Secrets>,
      () => ({}) as Partial<Secrets>,
    );
    const fresh: Secrets = {
      apiKey: typeof stored.apiKey === 'string' && /^[0-9a-f]{64}$/.test(stored.apiKey) ? stored.apiKey : hex(32),
      dbPassword: typeof stored.dbPassword === 'string' && /^[0-9a-f]{64}$/.test(stored.dbPassword) ? stored.dbPassword : hex(32),
    };
    if (fresh.apiKey !== stored.apiKey || fresh.dbPassword !== stored.dbPassword) {
      await fs.writeFile(file, JSON.stringify(fresh), { mode: 0o600 });
    }
    this.secrets = fresh;
    return fresh;
  }

  private async spawnServer(): Promise<void> {
    const fd = openSync(this.logFile, 'a', 0o600);
    const child = spawn(this.o.binary, [`--config-dir=${this.etcDir}`], {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: this.o.root,
    });
    closeSync(fd);
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
    child.once('error', (err) => (exited = err.message));
    child.unref();
    await this.waitReady(() => exited);
  }

  /** Until the API answers (the DNS listener is up before the webserver). */
  private async waitReady(failed: () => string | null = () => null): Promise<void> {
    const ok = await waitFor(async () => {
      if (failed() !== null) return true;
      try {
        const res = await fetch(`${this.apiUrl}/api/v1/servers/localhost`, {
          headers: { 'X-API-Key': this.apiKey() },
          signal: AbortSignal.timeout(1_000),
        });
        await res.arrayBuffer();
        return res.ok;
      } catch {
        return false;
      }
    }, START_TIMEOUT_MS);
    const why = failed();
    if (why !== null || !ok) {
      const log = await fs.readFile(this.logFile, 'utf8').catch(() => '');
      const tail = log.trim().split('\n').slice(-4).join(' | ');
      throw new Error(`pdns_server did not start${why ? ` (${why})` : ''}: ${tail || 'no output'}`);
    }
  }
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}
