/**
 * A site's directory tree and its modes. Dirs 750 and files 640 owned `<site user>:<web group>`,
 * so NGINX reads, PHP (the site user) writes, and other sites see nothing; parents 711 so NGINX
 * can traverse without listing. `logs/` belongs to root (group: the site user) because NGINX's
 * master opens those files as root: a site user able to swap `access.log` for a symlink would
 * make root append to any file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SitePaths } from '../layout.js';
import { PLACEHOLDER_PAGE } from '../render/pages.js';
import type { Owner } from './users.js';

const isRoot = (): boolean => process.getuid?.() === 0;

async function ensureDir(dir: string, mode: number, uid: number, gid: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode });
  await fs.chmod(dir, mode);
  if (isRoot()) await fs.chown(dir, uid, gid);
}

export async function ensureSiteTree(paths: SitePaths, owner: Owner): Promise<void> {
  // A tree kept by an earlier remove (handed to root) or restored from elsewhere: take it back.
  const existing = await fs.stat(paths.dir).catch(() => null);
  const reclaim = isRoot() && existing !== null && existing.uid !== owner.treeUid;
  await ensureDir(path.dirname(paths.dir), 0o711, 0, 0).catch(() => undefined);
  await ensureDir(paths.dir, 0o750, owner.treeUid, owner.treeGid);
  // setgid: files PHP creates (uploads) get the web group, so NGINX can serve them.
  await ensureDir(paths.public, 0o2750, owner.treeUid, owner.treeGid);
  await ensureDir(paths.tmp, 0o750, owner.uid, owner.gid);
  await ensureDir(paths.app, 0o750, owner.uid, owner.gid);
  // root-owned, readable by the site's own group (see above). Others may traverse (not list):
  // NGINX's workers (www-data) reopen the logs by path after a rotation (logs.ts); only the
  // site user and the web group get this far, through the site folder's 0750.
  await ensureDir(paths.logs, 0o751, isRoot() ? 0 : owner.uid, owner.gid);
  // PHP (the site user) writes its own error log; it may write the file but not replace it.
  const phpLog = path.join(paths.logs, 'php-error.log');
  const handle = await fs.open(phpLog, 'a', 0o640);
  await handle.close();
  if (isRoot()) await fs.chown(phpLog, owner.uid, owner.gid);
  if (reclaim) {
    await chownTree(paths.public, owner);
    const own = { ...owner, treeUid: owner.uid, treeGid: owner.gid };
    await chownTree(paths.app, own);
    await chownTree(paths.tmp, own);
  }
}

/** Put a placeholder page into an empty document root (never over existing content). */
export async function ensurePlaceholder(paths: SitePaths, owner: Owner): Promise<boolean> {
  const entries = await fs.readdir(paths.public);
  if (entries.length > 0) return false;
  const file = path.join(paths.public, 'index.html');
  await fs.writeFile(file, PLACEHOLDER_PAGE, { mode: 0o640, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  if (isRoot()) await fs.chown(file, owner.treeUid, owner.treeGid);
  return true;
}

/** Give a whole tree to the site (after an extraction): dirs 2750, files 640, links untouched. */
export async function chownTree(dir: string, owner: Owner): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      await fs.chmod(full, 0o2750);
      if (isRoot()) await fs.chown(full, owner.treeUid, owner.treeGid);
      await chownTree(full, owner);
    } else if (entry.isFile()) {
      await fs.chmod(full, 0o640);
      if (isRoot()) await fs.chown(full, owner.treeUid, owner.treeGid);
    }
  }
}

/**
 * Hand a kept tree to root before its site user is deleted: the freed uid may be given to a
 * future site, which must not inherit these files.
 */
export async function disownTree(dir: string): Promise<void> {
  if (!isRoot()) return;
  const stat = await fs.lstat(dir).catch(() => null);
  if (!stat) return;
  await fs.lchown(dir, 0, 0);
  if (!stat.isDirectory()) return;
  for (const entry of await fs.readdir(dir)) await disownTree(path.join(dir, entry));
}
