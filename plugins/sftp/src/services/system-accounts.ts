/**
 * The Linux side of an SFTP account: a user of its own that shares the site user's uid and
 * primary group (`useradd -o`), so sshd can tell accounts apart by name and password while
 * every file they write belongs to the site's user. Its home is the site's folder as seen
 * inside the chroot. Its password hash lives in /etc/shadow, its keys in `<root>/keys/<login>`.
 * Never touches a user it did not make (the comment names the account).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { retryWhileLocked } from '@hostplane/sdk/programs';
import { run, type RunResult } from './exec.js';

/** Supplementary group of every account: sshd's `AllowGroups` lets nobody else in. */
export const SFTP_GROUP = 'hostplane-sftp';
const COMMENT_PREFIX = 'hostplane sftp ';

/** An install's tag: a hash of its root, so two installs on one machine never take each other's users. */
export function installTag(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 8);
}
const NOLOGIN = '/usr/sbin/nologin';

export interface SystemAccount {
  accountId: string;
  login: string;
  uid: number;
  gid: number;
  /** Home inside the chroot, e.g. `/shop`. */
  home: string;
  /** `$6$…` (sha512-crypt), or null: keys only. */
  passwordHash: string | null;
  /** authorized_keys content ('' for none). */
  authorizedKeys: string;
}

interface PasswdLine {
  login: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
}

export class LoginTakenBySystem extends Error {}

async function passwd(): Promise<PasswdLine[]> {
  const text = await fs.readFile('/etc/passwd', 'utf8');
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7)
    .map((f) => ({ login: f[0]!, uid: Number(f[2]), gid: Number(f[3]), comment: f[4]!, home: f[5]! }));
}

/**
 * useradd, usermod, userdel and chpasswd lock /etc/passwd and give up at once (exit 10, or 1
 * for chpasswd) when another process holds it (the web server plugin making a site user): try
 * again a few times.
 */
function runLocked(file: string, args: string[], input?: string): Promise<RunResult> {
  return retryWhileLocked(() => run(file, args, input));
}

function must(r: RunResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

/** sha512-crypt of `password` by `openssl passwd -6` (the password goes on stdin, never argv). */
export async function hashPassword(password: string): Promise<string> {
  const r = await run('openssl', ['passwd', '-6', '-stdin'], `${password}\n`);
  must(r, 'openssl passwd');
  const hash = r.stdout.trim();
  if (!/^\$6\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}$/.test(hash)) throw new Error('openssl passwd printed no sha512-crypt hash');
  return hash;
}

export class SystemAccounts {
  /** One change to the user database at a time from this process. */
  private lock: Promise<unknown> = Promise.resolve();

  private readonly prefix: string;

  constructor(
    private readonly keysDir: string,
    tag: string,
  ) {
    this.prefix = `${COMMENT_PREFIX}${tag} `;
  }

  keyFile(login: string): string {
    return path.join(this.keysDir, login);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn, fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  /** Make the user, its password and its keys what `account` says (idempotent). */
  ensure(account: SystemAccount): Promise<void> {
    return this.serial(async () => {
      await this.ensureGroup();
      const existing = (await passwd()).find((p) => p.login === account.login);
      const comment = `${this.prefix}${account.accountId}`;
      if (existing && existing.comment !== comment) throw new LoginTakenBySystem(account.login);
      if (!existing) {
        must(
          await runLocked('useradd', [
            '--non-unique',
            '--uid',
            String(account.uid),
            '--gid',
            String(account.gid),
            '--groups',
            SFTP_GROUP,
            '--no-create-home',
            '--home-dir',
            account.home,
            '--shell',
            NOLOGIN,
            '--comment',
            comment,
            account.login,
          ]),
          'useradd',
        );
      } else if (existing.uid !== account.uid || existing.gid !== account.gid || existing.home !== account.home) {
        must(
          await runLocked('usermod', [
            '--non-unique',
            '--uid',
            String(account.uid),
            '--gid',
            String(account.gid),
            '--home',
            account.home,
            account.login,
          ]),
          'usermod',
        );
      }
      // `*`: no password can match, yet the account is not "locked" (sshd refuses every method,
      // keys included, for a `!` hash).
      must(await runLocked('chpasswd', ['-e'], `${account.login}:${account.passwordHash ?? '*'}\n`), 'chpasswd');
      await this.writeKeys(account.login, account.authorizedKeys);
    });
  }

  /** Remove the user and its keys; nothing when it is not ours (or gone). */
  remove(login: string): Promise<void> {
    return this.serial(async () => {
      const existing = (await passwd()).find((p) => p.login === login);
      await fs.rm(this.keyFile(login), { force: true });
      if (!existing?.comment.startsWith(this.prefix)) return;
      // -f: the site user's uid has processes (PHP), which userdel would otherwise refuse for.
      must(await runLocked('userdel', ['-f', login]), 'userdel');
    });
  }

  /** Logins of every account this plugin made, with the account id from the comment. */
  async ours(): Promise<Array<{ login: string; accountId: string }>> {
    return (await passwd())
      .filter((p) => p.comment.startsWith(this.prefix))
      .map((p) => ({ login: p.login, accountId: p.comment.slice(this.prefix.length) }));
  }

  private async ensureGroup(): Promise<void> {
    const groups = await fs.readFile('/etc/group', 'utf8');
    if (groups.split('\n').some((l) => l.startsWith(`${SFTP_GROUP}:`))) return;
    const r = await runLocked('groupadd', ['--system', SFTP_GROUP]);
    // 9: made meanwhile by another process.
    if (r.code !== 0 && r.code !== 9) must(r, 'groupadd');
  }

  private async writeKeys(login: string, content: string): Promise<void> {
    const file = this.keyFile(login);
    if (!content) {
      await fs.rm(file, { force: true });
      return;
    }
    // Root-owned and not writable by the account: sshd's StrictModes checks exactly that.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, content, { mode: 0o644 });
    await fs.rename(tmp, file);
  }
}
