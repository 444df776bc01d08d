/**
 * Who owns what. As root every site gets a system user `hp-<name>` (PHP and the Node.js app run
 * as it) and the tree's group is NGINX's user, so NGINX reads files and no site reads another's.
 * Without root everything is the current user.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { siteUserName } from '../names.js';
import { run } from './exec.js';

export interface Owner {
  /** User PHP and the Node.js app run as (pool `user =`), or null: the current user (not root). */
  user: string | null;
  uid: number;
  /** That user's own group (PHP pool group). */
  gid: number;
  /** Owner of the site tree: the site user, or root when root runs without site users. */
  treeUid: number;
  /** Group of the site tree: NGINX's group when root. */
  treeGid: number;
}

const COMMENT_PREFIX = 'hostplane site ';
/** uid/gid band of site users: above the usual regular-user start, below 65534 (nobody). */
export const SITE_ID_MIN = 20_000;
export const SITE_ID_MAX = 59_999;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
}

async function getent(db: 'passwd' | 'group', key: string): Promise<string[] | null> {
  const r = await run('getent', [db, key]);
  if (r.code !== 0) return null;
  return r.stdout.trim().split(':');
}

function entryOf(fields: string[] | null | undefined, name: string): PasswdEntry | null {
  if (!fields || fields.length < 5) return null;
  return { name: fields[0] ?? name, uid: Number(fields[2]), gid: Number(fields[3]), comment: fields[4] ?? '' };
}

/**
 * A user from /etc/passwd, where useradd writes. Reading the file costs microseconds; spawning
 * `getent` costs milliseconds per site, which adds up over a burst of a thousand sites.
 */
async function fromPasswdFile(name: string): Promise<PasswdEntry | null> {
  const text = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
  return line ? entryOf(line.split(':'), name) : null;
}

/** A user from /etc/passwd, else from any NSS source. */
export async function lookupUser(name: string): Promise<PasswdEntry | null> {
  return (await fromPasswdFile(name)) ?? entryOf(await getent('passwd', name), name);
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

export const userFor = (siteName: string): string => siteUserName(siteName, hash);

export class SiteUsers {
  /** useradd/userdel lock /etc/passwd and fail instead of waiting: one at a time. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    /** 'per-site' creates users (root only); 'current' uses this process's user. */
    readonly mode: 'per-site' | 'current',
    /** NGINX's user when root (`www-data`), null otherwise. */
    readonly web: { name: string; uid: number; gid: number } | null,
  ) {}

  /** Make sure the site's user exists; returns who owns its tree. */
  ensure(siteName: string, siteDir: string): Promise<Owner> {
    if (this.mode === 'current') return this.ensureUnlocked(siteName, siteDir);
    return this.serial(() => this.ensureUnlocked(siteName, siteDir));
  }

  remove(siteName: string): Promise<void> {
    return this.serial(() => this.removeUnlocked(siteName));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn, fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async ensureUnlocked(siteName: string, siteDir: string): Promise<Owner> {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    if (this.mode === 'current') {
      // Root without site users: PHP and apps run as the web user, never as root; root keeps
      // the files (PHP can read them, not change them). Development and tests only.
      if (this.web) return { user: this.web.name, uid: this.web.uid, gid: this.web.gid, treeUid: 0, treeGid: this.web.gid };
      return { user: null, uid, gid, treeUid: uid, treeGid: gid };
    }
    const name = userFor(siteName);
    // Only /etc/passwd first: a user elsewhere (LDAP) makes useradd exit 9 and is found below.
    let entry = await fromPasswdFile(name);
    if (!entry) {
      const r = await run('useradd', [
        '--system',
        // The system id band (SYS_UID_MIN..MAX, usually 100–999) holds fewer than 900 users: a
        // server with a thousand sites would run out. Site users get a band of their own.
        '-K',
        `SYS_UID_MIN=${SITE_ID_MIN}`,
        '-K',
        `SYS_UID_MAX=${SITE_ID_MAX}`,
        '-K',
        `SYS_GID_MIN=${SITE_ID_MIN}`,
        '-K',
        `SYS_GID_MAX=${SITE_ID_MAX}`,
        '--no-create-home',
        '--home-dir',
        siteDir,
        '--shell',
        '/usr/sbin/nologin',
        '--user-group',
        '--comment',
        `${COMMENT_PREFIX}${siteName}`,
        name,
      ]);
      // Another process may have created it meanwhile (exit 9: already exists).
      if (r.code !== 0 && r.code !== 9) throw new Error(`useradd ${name} failed: ${r.stderr.trim()}`);
      entry = await lookupUser(name);
      if (!entry) throw new Error(`useradd ${name} left no user`);
    }
    if (!entry.comment.startsWith(COMMENT_PREFIX)) {
      throw new Error(`user ${name} exists but was not made by Hostplane; refusing to use it`);
    }
    return { user: name, uid: entry.uid, gid: entry.gid, treeUid: entry.uid, treeGid: this.web?.gid ?? entry.gid };
  }

  /** Delete the site's user if Hostplane made it; idempotent. */
  private async removeUnlocked(siteName: string): Promise<void> {
    if (this.mode === 'current') return;
    const name = userFor(siteName);
    const entry = await lookupUser(name);
    if (!entry || !entry.comment.startsWith(COMMENT_PREFIX)) return;
    const r = await run('userdel', ['--force', name]);
    if (r.code !== 0 && r.code !== 6) throw new Error(`userdel ${name} failed: ${r.stderr.trim()}`);
  }
}
