/**
 * The managed BIND 9: `named.conf` under the root with a TSIG key for updates and transfers and
 * an rndc key for the control channel, `allow-new-zones` so zones are added with `rndc addzone`
 * (RFC 2136 cannot create zones). Started detached, adopted after a host crash by pidfile and
 * command line, stopped with `rndc stop` (or TERM).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, promises as fs, openSync } from 'node:fs';
import path from 'node:path';
import { run, type RunResult } from './exec.js';

export interface NamedOptions {
  root: string;
  namedBinary: string;
  rndcBinary: string;
  listenAddress: string;
  dnsPort: number;
  controlPort: number;
}

interface Keys {
  tsig: string;
  rndc: string;
}

/** The TSIG key name updates and transfers are signed with. */
export const TSIG_NAME = 'hostplane-update';

export class ManagedNamed {
  readonly zoneDir: string;
  private readonly runDir: string;
  private readonly confFile: string;
  private readonly rndcConf: string;
  private readonly logFile: string;
  private keys: Keys | null = null;

  constructor(private readonly o: NamedOptions) {
    this.zoneDir = path.join(o.root, 'zones');
    this.runDir = path.join(o.root, 'run');
    this.confFile = path.join(o.root, 'named.conf');
    this.rndcConf = path.join(o.root, 'rndc.conf');
    this.logFile = path.join(o.root, 'log', 'named.log');
  }

  /** `hmac-sha256:<name>:<secret>` for nsupdate and dig; empty before start. */
  tsig(): string {
    return this.keys ? `hmac-sha256:${TSIG_NAME}:${this.keys.tsig}` : '';
  }

  async preflight(): Promise<string | null> {
    for (const file of [this.o.namedBinary, this.o.rndcBinary]) {
      if (
        !(await fs.access(file).then(
          () => true,
          () => false,
        ))
      )
        return `${file} not found (apt-get install bind9 bind9-utils)`;
    }
    return null;
  }

  async start(): Promise<'started' | 'adopted' | 'restarted'> {
    for (const dir of [this.zoneDir, this.runDir, path.dirname(this.logFile)])
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const keys = await this.loadKeys();
    const conf = this.renderConf(keys);
    const old = await fs.readFile(this.confFile, 'utf8').catch(() => null);
    const running = await this.pid();
    if (running !== null && old === conf) return 'adopted';
    if (running !== null) await this.stop();
    await fs.writeFile(this.confFile, conf, { mode: 0o600 });
    await fs.writeFile(this.rndcConf, this.renderRndcConf(keys), { mode: 0o600 });
    const check = await run('/usr/bin/named-checkconf', [this.confFile]).catch(() => null);
    if (check && check.code !== 0 && check.code !== 127) throw new Error(`named.conf refused: ${check.stderr || check.stdout}`);
    const fd = openSync(this.logFile, 'a', 0o600);
    const child = spawn(this.o.namedBinary, ['-f', '-c', this.confFile], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
    child.once('error', (err) => (exited = err.message));
    child.unref();
    const ok = await waitFor(async () => exited !== null || (await this.rndc(['status'])).code === 0, 15_000);
    if (!ok || exited !== null) {
      // A named that is still starting has written no pidfile yet, so stop() could not find it:
      // end it here, or a slow start (a loaded machine) leaves a server nobody owns.
      if (exited === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      const log = await fs.readFile(this.logFile, 'utf8').catch(() => '');
      throw new Error(`named did not start${exited ? ` (${exited})` : ''}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
    return running !== null ? 'restarted' : 'started';
  }

  async pid(): Promise<number | null> {
    const text = await fs.readFile(path.join(this.runDir, 'named.pid'), 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    return cmd !== null && cmd.includes('named') && cmd.includes(this.confFile) ? pid : null;
  }

  async stop(): Promise<void> {
    const pid = await this.pid();
    if (pid === null) return;
    process.kill(pid, 'SIGTERM');
    const gone = async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    if (!(await waitFor(gone, 10_000))) {
      process.kill(pid, 'SIGKILL');
      await waitFor(gone, 5_000);
    }
  }

  rndc(args: string[]): Promise<RunResult> {
    return run(this.o.rndcBinary, ['-c', this.rndcConf, ...args]);
  }

  private async loadKeys(): Promise<Keys> {
    if (this.keys) return this.keys;
    const file = path.join(this.o.root, 'keys.json');
    const stored = await fs.readFile(file, 'utf8').then(
      (t) => JSON.parse(t) as Partial<Keys>,
      () => ({}) as Partial<Keys>,
    );
    const b64 = /^[A-Za-z0-9+/]{43}=$/;
    const keys: Keys = {
      tsig: typeof stored.tsig === 'string' && b64.test(stored.tsig) ? stored.tsig : randomBytes(32).toString('base64'),
      rndc: typeof stored.rndc === 'string' && b64.test(stored.rndc) ? stored.rndc : randomBytes(32).toString('base64'),
    };
    if (keys.tsig !== stored.tsig || keys.rndc !== stored.rndc) await fs.writeFile(file, JSON.stringify(keys), { mode: 0o600 });
    this.keys = keys;
    return keys;
  }

  private renderConf(keys: Keys): string {
    return `// Written by the dns-rfc2136 plugin; changes are overwritten at its next start.
options {
  directory "${this.zoneDir}";
  pid-file "${path.join(this.runDir, 'named.pid')}";
  session-keyfile "${path.join(this.runDir, 'session.key')}";
  managed-keys-directory "${this.runDir}";
  listen-on port ${this.o.dnsPort} { ${this.o.listenAddress}; };
  listen-on-v6 { none; };
  allow-new-zones yes;
  recursion no;
  notify no;
  dnssec-validation no;
  allow-transfer { none; };
};
key "${TSIG_NAME}" { algorithm hmac-sha256; secret "${keys.tsig}"; };
key "rndc-key" { algorithm hmac-sha256; secret "${keys.rndc}"; };
controls { inet 127.0.0.1 port ${this.o.controlPort} allow { 127.0.0.1; } keys { "rndc-key"; }; };
logging {
  channel main { file "${this.logFile}"; severity info; print-time yes; };
  category default { main; };
  category lame-servers { null; };
};
`;
  }

  private renderRndcConf(keys: Keys): string {
    return `key "rndc-key" { algorithm hmac-sha256; secret "${keys.rndc}"; };
options { default-server 127.0.0.1; default-port ${this.o.controlPort}; default-key "rndc-key"; };
`;
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
