/**
 * Who owns what. As root every site gets a system user `hp-<name>` (PHP and the Node.js app run
 * as it) and the tree's group is NGINX's user, so NGINX reads files and no site reads another's.
 * Without root everything is the current user.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { retryWhileLocked, withAccountsLock } from '@hostplane/sdk/programs';
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

/** name → fields of a colon-separated table (/etc/passwd, /etc/group). */
async function readTable(file: string): Promise<Map<string, string[]>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const table = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[0]) table.set(fields[0], fields);
  }
  return table;
}

let newusersFound: boolean | null = null;
async function hasNewusers(): Promise<boolean> {
  newusersFound ??= await fs.access('/usr/sbin/newusers').then(
    () => true,
    () => false,
  );
  return newusersFound;
}

/** A user from /etc/passwd, else from any NSS source. */
export async function lookupUser(name: string): Promise<PasswdEntry | null> {
  return (await fromPasswdFile(name)) ?? entryOf(await getent('passwd', name), name);
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The system user of a site for an install tagged `tag` ('' before tags: `hp-<name>`). */
export const userFor = (siteName: string, tag = ''): string => siteUserName(siteName, hash, tag);

export class SiteUsers {
  /** useradd/userdel lock /etc/passwd and fail instead of waiting: one at a time. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    /** 'per-site' creates users (root only); 'current' uses this process's user. */
    readonly mode: 'per-site' | 'current',
    /** NGINX's user when root (`www-data`), null otherwise. */
    readonly web: { name: string; uid: number; gid: number } | null,
    /** This install's tag (see install-tag.ts): part of every user's name and comment. */
    readonly tag = '',
  ) {}

  /** The user a site runs as (per-site mode). */
  nameOf(siteName: string): string {
    return userFor(siteName, this.tag);
  }

  /** The comment that marks a user as this install's, for this site: never another's. */
  private commentOf(siteName: string): string {
    return `${COMMENT_PREFIX}${siteName}${this.tag ? ` ${this.tag}` : ''}`;
  }

  /** Make sure the site's user exists; returns who owns its tree. */
  ensure(siteName: string, siteDir: string): Promise<Owner> {
    if (this.mode === 'current') return this.ensureUnlocked(siteName, siteDir);
    return this.serial(() => this.lockedIfMissing([siteName], () => this.ensureUnlocked(siteName, siteDir)));
  }

  /**
   * The users of many sites at once (a batch). Missing ones are created by one `newusers` run:
   * useradd rewrites /etc/passwd, shadow, group and gshadow on every call, so a thousand
   * useradds cost O(n²) (≈ 60 s here) where one newusers costs under a second. Falls back to
   * useradd one by one when newusers is absent. Each site gets its Owner or the error.
   */
  ensureMany(sites: Array<{ siteName: string; siteDir: string }>): Promise<Map<string, Owner | Error>> {
    if (this.mode === 'current' || sites.length <= 1) {
      return Promise.all(
        sites.map(
          async ({ siteName, siteDir }) => [siteName, await this.ensure(siteName, siteDir).catch((e: Error) => e)] as const,
        ),
      ).then((pairs) => new Map(pairs));
    }
    return this.serial(() =>
      this.lockedIfMissing(
        sites.map((s) => s.siteName),
        () => this.ensureManyUnlocked(sites),
      ),
    );
  }

  /**
   * Run `work` under the host-wide lock when one of these sites has no user yet: another process
   * picking ids in the band between our read of the files and newusers' write would give two
   * sites one uid (see withAccountsLock). Users that exist pick no id, so re-applying existing
   * sites (most batches) spawns no lock holder.
   */
  private async lockedIfMissing<T>(siteNames: string[], work: () => Promise<T>): Promise<T> {
    const passwd = await readTable('/etc/passwd');
    return siteNames.every((n) => passwd.has(this.nameOf(n))) ? work() : withAccountsLock(work);
  }

  private async ensureManyUnlocked(sites: Array<{ siteName: string; siteDir: string }>): Promise<Map<string, Owner | Error>> {
    const out = new Map<string, Owner | Error>();
    const passwd = await readTable('/etc/passwd');
    const groups = await readTable('/etc/group');
    const usedUids = new Set([...passwd.values()].map((f) => Number(f[2])));
    const usedGids = new Set([...groups.values()].map((f) => Number(f[2])));
    const missing: Array<{ siteName: string; siteDir: string; name: string; id: number }> = [];
    let next = SITE_ID_MIN;
    for (const { siteName, siteDir } of sites) {
      const name = this.nameOf(siteName);
      const existing = entryOf(passwd.get(name), name);
      if (existing) {
        out.set(siteName, this.ownerOf(existing, siteName));
        continue;
      }
      if (groups.has(name) || /[:\n]/.test(siteDir)) {
        out.set(siteName, await this.ensureUnlocked(siteName, siteDir).catch((e: Error) => e));
        continue;
      }
      while (next <= SITE_ID_MAX && (usedUids.has(next) || usedGids.has(next))) next++;
      if (next > SITE_ID_MAX) {
        out.set(siteName, new Error(`no free uid left in ${SITE_ID_MIN}-${SITE_ID_MAX}`));
        continue;
      }
      usedUids.add(next);
      usedGids.add(next);
      missing.push({ siteName, siteDir, name, id: next });
    }
    if (missing.length === 0) return out;
    if (!(await hasNewusers())) {
      for (const m of missing) out.set(m.siteName, await this.ensureUnlocked(m.siteName, m.siteDir).catch((e: Error) => e));
      return out;
    }
    // newusers creates a missing home directory owned by the user; the tree is ours to make.
    for (const m of missing) await fs.mkdir(m.siteDir, { recursive: true, mode: 0o750 });
    // Empty password field: the account is created locked ("!"). Debian's PAM build then
    // reports "password not changed" and exits 1 although every account was written, so the
    // outcome is judged by reading /etc/passwd back, not by the exit code.
    const lines = missing.map((m) => `${m.name}::${m.id}:${m.id}:${this.commentOf(m.siteName)}:${m.siteDir}:/usr/sbin/nologin\n`);
    const r = await retryWhileLocked(() => run('newusers', ['--system'], { input: lines.join(''), timeoutMs: 120_000 }));
    const after = await readTable('/etc/passwd');
    const groupsAfter = await readTable('/etc/group');
    for (const m of missing) {
      const entry = entryOf(after.get(m.name), m.name);
      // newusers quietly joins an existing group when the gid is taken: the site must have its
      // own, or PHP-FPM refuses the pool and the site shares its group with another.
      const ownGroup = Number(groupsAfter.get(m.name)?.[2]) === m.id && entry?.gid === m.id && entry.uid === m.id;
      if (entry && entry.comment === this.commentOf(m.siteName) && ownGroup) out.set(m.siteName, this.ownerOf(entry, m.siteName));
      else if (entry) out.set(m.siteName, new Error(`newusers made ${m.name} without its own id ${m.id} and group ${m.name}`));
      else
        out.set(m.siteName, new Error(`newusers did not create ${m.name}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`));
    }
    return out;
  }

  private ownerOf(entry: PasswdEntry, siteName: string): Owner | Error {
    if (entry.comment !== this.commentOf(siteName)) {
      return new Error(`user ${entry.name} exists but was not made by this Hostplane for ${siteName}; refusing to use it`);
    }
    return { user: entry.name, uid: entry.uid, gid: entry.gid, treeUid: entry.uid, treeGid: this.web?.gid ?? entry.gid };
  }

  remove(siteName: string): Promise<void> {
    // No host-wide lock: userdel picks no id.
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
    const name = this.nameOf(siteName);
    // Only /etc/passwd first: a user elsewhere (LDAP) makes useradd exit 9 and is found below.
    let entry = await fromPasswdFile(name);
    if (!entry) {
      const r = await retryWhileLocked(() =>
        run('useradd', [
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
          this.commentOf(siteName),
          name,
        ]),
      );
      // Another process may have created it meanwhile (exit 9: already exists).
      if (r.code !== 0 && r.code !== 9) throw new Error(`useradd ${name} failed: ${r.stderr.trim()}`);
      entry = await lookupUser(name);
      if (!entry) throw new Error(`useradd ${name} left no user`);
    }
    const owner = this.ownerOf(entry, siteName);
    if (owner instanceof Error) throw owner;
    return owner;
  }

  /** Delete the site's user if Hostplane made it; idempotent. */
  private async removeUnlocked(siteName: string): Promise<void> {
    if (this.mode === 'current') return;
    const name = this.nameOf(siteName);
    const entry = await lookupUser(name);
    if (!entry || entry.comment !== this.commentOf(siteName)) return;
    const r = await retryWhileLocked(() => run('userdel', ['--force', name]));
    if (r.code !== 0 && r.code !== 6) throw new Error(`userdel ${name} failed: ${r.stderr.trim()}`);
  }
}
