/**
 * A site's releases on disk, next to the folders the web server made:
 *
 *     <site>/releases/<name>/      one checkout each (built), the site user's files
 *     <site>/current -> releases/<name>
 *     <site>/public  -> current[/<web root>]   (the web server's document root)
 *
 * Switching is `rename(2)` of a fresh link over `current` (`mv -T`), so NGINX and PHP see the old
 * release or the new one, never a mix or nothing. Why `public` becomes a link and what happens
 * to what it held: docs/decisions/0067. Everything inside the site's folder is done as the site's
 * user (the folder is theirs: a root process following a link they planted could reach anything);
 * root only makes `releases/` itself, through a descriptor opened without following links, so
 * it can hand down the web server's group.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { runAs, type Identity } from './run-as.js';

export const RELEASES = 'releases';
export const CURRENT = 'current';
export const PUBLIC = 'public';
const NEW_CURRENT = '.hostplane-current.new';
const NEW_PUBLIC = '.hostplane-public.new';
/** Release folder names this plugin makes: `<UTC time>-<8 hex>` or `initial-<UTC time>`. */
export const RELEASE_NAME = /^(?:initial-)?[0-9]{8}T[0-9]{6}Z(?:-[0-9a-f]{8})?$/;

export interface SiteDisk extends Identity {
  root: string;
  /** Group of the site's tree (the web server's, when root): releases/ hands it down. */
  treeGid: number;
  env: Record<string, string>;
}

const stamp = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export function releaseName(at: Date, id: string): string {
  return `${stamp(at)}-${id.replace(/-/g, '').slice(0, 8)}`;
}

export function initialReleaseName(at: Date): string {
  return `initial-${stamp(at)}`;
}

/** Run a small file command (ln, mv, rm) as the site user in the site's folder; throws with its output. */
async function sh(disk: SiteDisk, argv: string[]): Promise<void> {
  let out = '';
  const r = await runAs({
    argv,
    cwd: disk.root,
    uid: disk.uid,
    gid: disk.gid,
    env: disk.env,
    timeoutMs: 600_000,
    onOutput: (c) => (out += c.toString('utf8')),
  });
  if (r.exitCode !== 0 || r.startError) throw new Error(`${argv[0]} failed: ${r.startError ?? out.trim()}`);
}

/** `releases/` owned by the site user with the tree's group, setgid, 2750 (made by root when root). */
export async function ensureReleasesDir(disk: SiteDisk): Promise<void> {
  const dir = path.join(disk.root, RELEASES);
  await fs.mkdir(dir, { mode: 0o2750 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  // O_NOFOLLOW: a link the site user put in its place is refused (ELOOP), not followed.
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    if (process.getuid?.() === 0 && disk.uid !== null) await handle.chown(disk.uid, disk.treeGid);
    await handle.chmod(0o2750);
  } finally {
    await handle.close();
  }
}

/** Names under releases/ (only those this plugin makes; anything else the site put there is left alone). */
export async function listReleases(disk: SiteDisk): Promise<string[]> {
  const entries = await fs.readdir(path.join(disk.root, RELEASES)).catch(() => [] as string[]);
  return entries.filter((n) => RELEASE_NAME.test(n)).sort();
}

export async function removeRelease(disk: SiteDisk, name: string): Promise<void> {
  if (!RELEASE_NAME.test(name)) throw new Error(`not a release name: ${name}`);
  await sh(disk, ['rm', '-rf', '--', `${RELEASES}/${name}`]);
}

export async function removeInRelease(disk: SiteDisk, name: string, inside: string): Promise<void> {
  await sh(disk, ['rm', '-rf', '--', `${RELEASES}/${name}/${inside}`]);
}

/** The folder `webRoot` of a release, when it is a real folder inside it (no link out of it). */
export async function webRootIsInside(disk: SiteDisk, name: string, webRoot: string): Promise<boolean> {
  const release = path.join(disk.root, RELEASES, name);
  const real = await fs.realpath(path.join(release, webRoot)).catch(() => null);
  if (!real) return false;
  const base = await fs.realpath(release);
  if (real !== base && !real.startsWith(`${base}/`)) return false;
  return (await fs.stat(real)).isDirectory();
}

/** Where the link at `name` in the site's folder points, or what else is there. */
async function linkState(
  disk: SiteDisk,
  name: string,
): Promise<{ kind: 'link'; target: string } | { kind: 'dir' | 'missing' | 'other' }> {
  const file = path.join(disk.root, name);
  const st = await fs.lstat(file).catch(() => null);
  if (!st) return { kind: 'missing' };
  if (st.isSymbolicLink()) return { kind: 'link', target: await fs.readlink(file) };
  return { kind: st.isDirectory() ? 'dir' : 'other' };
}

/** Make `name` a link to `target` with one rename (a fresh link moved over the old one). */
async function relink(disk: SiteDisk, tmp: string, target: string, name: string): Promise<void> {
  await sh(disk, ['rm', '-f', '--', tmp]);
  await sh(disk, ['ln', '-s', '--', target, tmp]);
  await sh(disk, ['mv', '-T', '--', tmp, name]);
}

/**
 * Serve `releases/<name>[/<webRoot>]`: `current` is switched first (one rename), then `public`
 * is pointed at it if it is not already. The first time `public` is a real folder: it becomes
 * the release `initialName` (what the site served until now stays one rollback away), replaced
 * by the link with a second rename right after. Returns the initial release made, if one was.
 */
export async function switchTo(disk: SiteDisk, name: string, webRoot: string, initialName: string): Promise<string | null> {
  if (!RELEASE_NAME.test(name)) throw new Error(`not a release name: ${name}`);
  const current = await linkState(disk, CURRENT);
  if (current.kind === 'dir' || current.kind === 'other')
    throw new Error(`${CURRENT} in the site’s folder is not a link: move it away`);
  await relink(disk, NEW_CURRENT, `${RELEASES}/${name}`, CURRENT);
  const want = webRoot ? `${CURRENT}/${webRoot}` : CURRENT;
  const pub = await linkState(disk, PUBLIC);
  if (pub.kind === 'link' && pub.target === want) return null;
  if (pub.kind === 'other') throw new Error(`${PUBLIC} in the site’s folder is not a folder or a link`);
  let initial: string | null = null;
  await sh(disk, ['rm', '-f', '--', NEW_PUBLIC]);
  await sh(disk, ['ln', '-s', '--', want, NEW_PUBLIC]);
  if (pub.kind === 'dir') {
    initial = initialName;
    await sh(disk, ['mv', '-T', '--', PUBLIC, `${RELEASES}/${initialName}`]);
  }
  await sh(disk, ['mv', '-T', '--', NEW_PUBLIC, PUBLIC]);
  return initial;
}

/** The release `current` points at, if it is one of ours. */
export async function currentRelease(disk: SiteDisk): Promise<string | null> {
  const st = await linkState(disk, CURRENT);
  if (st.kind !== 'link') return null;
  const name = path.basename(st.target);
  return RELEASE_NAME.test(name) ? name : null;
}
