/**
 * The managed OpenSSH sshd that serves SFTP: its own config, host keys, pid file and log under
 * the plugin's root, its own port. Started detached (it keeps serving while the host restarts),
 * adopted after a host crash by pid file and command line, reloaded with SIGHUP (sshd re-executes
 * itself; open sessions go on), stopped with SIGTERM when the plugin is disabled.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { renderSshdConfig, type RenderedAccount } from '../render/sshd-config.js';
import { run } from './exec.js';
import { SFTP_GROUP } from './system-accounts.js';

export interface SshdOptions {
  root: string;
  sshdBinary: string;
  listenAddress: string;
  port: number;
}

/** Folder sshd itself insists on for privilege separation (compiled into Debian's sshd). */
const PRIVSEP_DIR = '/run/sshd';

export class ManagedSshd {
  readonly keysDir: string;
  readonly confFile: string;
  readonly logFile: string;
  private readonly pidFile: string;
  private readonly emptyDir: string;
  private readonly hostKeys: string[];
  /** Config changes one at a time (check, write, HUP). */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SshdOptions) {
    this.keysDir = path.join(o.root, 'keys');
    this.confFile = path.join(o.root, 'sshd_config');
    this.logFile = path.join(o.root, 'sshd.log');
    this.pidFile = path.join(o.root, 'sshd.pid');
    this.emptyDir = path.join(o.root, 'empty');
    this.hostKeys = [path.join(o.root, 'ssh_host_ed25519_key'), path.join(o.root, 'ssh_host_ecdsa_key')];
  }

  /** Why sshd cannot run here, or null. */
  async preflight(): Promise<string | null> {
    if (process.getuid?.() !== 0) return 'SFTP accounts need root (they are system users sharing the site user’s id)';
    const found = await fs.access(this.o.sshdBinary).then(
      () => true,
      () => false,
    );
    return found ? null : `${this.o.sshdBinary} not found (apt-get install openssh-server)`;
  }

  /** Folders and host keys; safe to call again. */
  async prepare(): Promise<void> {
    // 0711/0755 and root's: StrictModes and ChrootDirectory check every folder above a key file
    // or chroot for that.
    await fs.mkdir(this.o.root, { recursive: true, mode: 0o711 });
    await fs.chmod(this.o.root, 0o711);
    for (const dir of [this.keysDir, this.emptyDir]) {
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
      await fs.chmod(dir, 0o755);
    }
    await fs.mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
    for (const [file, type] of [
      [this.hostKeys[0]!, 'ed25519'],
      [this.hostKeys[1]!, 'ecdsa'],
    ] as const) {
      const exists = await fs.access(file).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      const r = await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'hostplane-sftp', '-f', file]);
      if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.trim()}`);
    }
  }

  render(accounts: readonly RenderedAccount[]): string {
    return renderSshdConfig(
      {
        port: this.o.port,
        listenAddress: this.o.listenAddress,
        hostKeys: this.hostKeys,
        pidFile: this.pidFile,
        keysDir: this.keysDir,
        emptyDir: this.emptyDir,
        group: SFTP_GROUP,
      },
      accounts,
    );
  }

  /** Host key fingerprints (`SHA256:…`), for customers to check on first connect. */
  async fingerprints(): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.hostKeys) {
      const r = await run('ssh-keygen', ['-l', '-f', `${key}.pub`]);
      if (r.code === 0) out.push(r.stdout.trim());
    }
    return out;
  }

  /**
   * Write the config for `accounts` and make the server use it: start it when it is not
   * running, adopt it when it is, SIGHUP it when the config changed. A config sshd refuses
   * (`sshd -t`) is not installed; the previous one keeps serving.
   */
  apply(accounts: readonly RenderedAccount[]): Promise<'started' | 'reloaded' | 'unchanged'> {
    const result = this.lock.then(() => this.applyUnlocked(accounts));
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async applyUnlocked(accounts: readonly RenderedAccount[]): Promise<'started' | 'reloaded' | 'unchanged'> {
    const conf = this.render(accounts);
    const old = await fs.readFile(this.confFile, 'utf8').catch(() => null);
    if (old !== conf) {
      const candidate = `${this.confFile}.new`;
      await fs.writeFile(candidate, conf, { mode: 0o600 });
      const check = await run(this.o.sshdBinary, ['-t', '-f', candidate]);
      if (check.code !== 0) {
        await fs.rm(candidate, { force: true });
        throw new Error(`sshd refused the config: ${check.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      }
      await fs.rename(candidate, this.confFile);
    }
    const pid = await this.pid();
    // No account, no server: a fresh install (or a test host) runs no sshd it does not need.
    if (pid === null && accounts.length === 0) return 'unchanged';
    if (pid === null) {
      await this.start();
      return 'started';
    }
    if (old === conf) return 'unchanged';
    process.kill(pid, 'SIGHUP');
    // sshd re-executes itself and opens its port again: the change is live once it listens
    // (a short pause first, so the probe does not meet the old process before it saw the signal).
    await new Promise((r) => setTimeout(r, 150));
    await this.waitListening(10_000);
    return 'reloaded';
  }

  private async start(): Promise<void> {
    await fs.rm(this.pidFile, { force: true });
    // sshd forks into the background itself; the parent exits 0 once it has read its config.
    const r = await run(this.o.sshdBinary, ['-f', this.confFile, '-E', this.logFile]);
    if (r.code !== 0) throw new Error(`sshd did not start (exit ${r.code}): ${r.stderr.trim() || (await this.logTail())}`);
    if (!(await this.waitListening(10_000)) || (await this.pid()) === null) {
      throw new Error(`sshd did not start listening on ${this.o.listenAddress}:${this.o.port}: ${await this.logTail()}`);
    }
  }

  async pid(): Promise<number | null> {
    const text = await fs.readFile(this.pidFile, 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    // The pid of a dead sshd may belong to another process by now: check it is ours.
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    return cmd !== null && cmd.includes('sshd') && cmd.includes(this.confFile) ? pid : null;
  }

  /** End every open session of `login` (after its account was deleted or its password changed). */
  async endSessions(login: string): Promise<number> {
    const master = await this.pid();
    if (master === null) return 0;
    const pids = await sessionsOf(master, login);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
    return pids.length;
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

  private async logTail(): Promise<string> {
    const log = await fs.readFile(this.logFile, 'utf8').catch(() => '');
    return log.trim().split('\n').slice(-3).join(' | ');
  }

  private waitListening(timeoutMs: number): Promise<boolean> {
    const host = this.o.listenAddress === '0.0.0.0' ? '127.0.0.1' : this.o.listenAddress;
    return waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect({ host, port: this.o.port });
          socket.once('data', (d) => {
            // The banner: sshd (not the old one on its way out) answers.
            socket.destroy();
            resolve(d.toString('latin1').startsWith('SSH-'));
          });
          socket.once('error', () => resolve(false));
          socket.setTimeout(1000, () => {
            socket.destroy();
            resolve(false);
          });
        }),
      timeoutMs,
    );
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

/** Parent pid of a process (field 4 of /proc/<pid>/stat, after the command in parentheses). */
async function parentOf(pid: number): Promise<number | null> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * Sessions of `login` on the server whose master is `master`: sshd names each session's
 * processes `sshd: <login> [priv]`, `sshd: <login>@notty` …; only those below our master count
 * (another sshd's sessions, the machine's own, are never touched).
 */
export async function sessionsOf(master: number, login: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    if (cmd === null || !new RegExp(`^sshd: ${login}( \\[priv\\]|@)`).test(cmd)) continue;
    let at: number | null = pid;
    for (let depth = 0; at !== null && at > 1 && depth < 4; depth += 1) {
      at = await parentOf(at);
      if (at === master) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}
