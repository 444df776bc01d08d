/**
 * Paths inside a site, and putting restored files in place. Everything here works on a
 * restore's staging folder beside the site (same file system, so every move is a rename) and
 * never follows a symbolic link of the site: a customer's link to `/etc` must not turn a
 * restore into a write there.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BackupsErrors } from '../errors.js';
import type { FileOwners } from '../store.js';

/**
 * A path the caller gave (`public/a b/x`, `/public/x`) as the snapshot's absolute path
 * (`/public/a b/x`); 400 for `..`, NUL, an empty path or an excluded folder.
 */
export function snapshotPathOf(input: string, excluded: readonly string[]): string {
  if (input.includes('\0')) throw BackupsErrors.pathInvalid('it contains a NUL byte');
  const parts = input.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw BackupsErrors.pathInvalid('".." leaves the site');
  if (parts.length === 0) throw BackupsErrors.pathInvalid('it names the whole site (leave the path out for that)');
  if (excluded.includes(parts[0]!)) throw BackupsErrors.pathInvalid(`${parts[0]} is not backed up`);
  return `/${parts.join('/')}`;
}

/** restic's `--include` takes a pattern: glob characters of a real name are escaped. */
export function includePattern(snapshotPath: string): string {
  return snapshotPath.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/**
 * The owner a restored entry gets: always the target site's user; the group of the site user's
 * own group stays that (mapped to the target's), any other group becomes the tree's group. No
 * id from the snapshot that is not the site's survives (a root-owned file comes back the site's).
 */
export function ownerMap(from: FileOwners | null, to: FileOwners): (uid: number, gid: number) => [number, number] {
  return (_uid, gid) => [to.uid, from && gid === from.userGid && gid !== from.gid ? to.userGid : to.gid];
}

/** lchown every entry under `dir` (itself included) as `map` says; modes are left as restored. */
export async function chownTree(dir: string, map: (uid: number, gid: number) => [number, number]): Promise<void> {
  const own = async (p: string) => {
    const st = await fs.lstat(p);
    const [uid, gid] = map(st.uid, st.gid);
    await fs.lchown(p, uid, gid);
    // chown clears set-id bits of files; put the snapshot's mode back (never for a link).
    if (!st.isSymbolicLink() && (st.mode & 0o6000) !== 0) await fs.chmod(p, st.mode & 0o7777);
  };
  await own(dir);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, map);
    else await own(full);
  }
}

/**
 * Make sure every parent folder of `relative` under `root` is a real folder (created like the
 * staging copy's when missing); 409 when one is a symbolic link or a file.
 */
async function ensureParents(root: string, staging: string, relative: string, uid: number, gid: number): Promise<void> {
  const parts = relative.split('/').slice(0, -1);
  let at = root;
  let from = staging;
  for (const part of parts) {
    at = path.join(at, part);
    from = path.join(from, part);
    const st = await fs.lstat(at).catch(() => null);
    if (st?.isDirectory()) continue;
    if (st) throw BackupsErrors.unsafeTarget(path.relative(root, at));
    const mode = (await fs.lstat(from)).mode & 0o7777;
    await fs.mkdir(at, { mode });
    await fs.chmod(at, mode);
    await fs.lchown(at, uid, gid);
  }
}

/** Move `name` out of the way into `trash` (if it exists). */
async function moveAside(from: string, trash: string, name: string): Promise<void> {
  const st = await fs.lstat(from).catch(() => null);
  if (!st) return;
  await fs.mkdir(trash, { recursive: true, mode: 0o700 });
  await fs.rename(from, path.join(trash, name));
}

/**
 * Put what `staging` holds in place under `root`. Whole site (`snapshotPath` null): every
 * top-level entry is replaced and entries the snapshot lacks are removed, except `excluded`
 * ones. One path: that entry is replaced. Old entries go to `trash`, deleted at the end; a
 * crash half way is repaired by running the restore again.
 */
export async function putInPlace(opts: {
  root: string;
  staging: string;
  trash: string;
  snapshotPath: string | null;
  excluded: readonly string[];
  uid: number;
  gid: number;
}): Promise<void> {
  const { root, staging, trash, excluded } = opts;
  let n = 0;
  const slot = () => String((n += 1));
  if (opts.snapshotPath === null) {
    const restored = new Set(await fs.readdir(staging));
    for (const name of await fs.readdir(root)) {
      if (!restored.has(name) && !excluded.includes(name)) await moveAside(path.join(root, name), trash, slot());
    }
    for (const name of restored) {
      if (excluded.includes(name)) continue;
      await moveAside(path.join(root, name), trash, slot());
      await fs.rename(path.join(staging, name), path.join(root, name));
    }
  } else {
    const relative = opts.snapshotPath.slice(1);
    await ensureParents(root, staging, relative, opts.uid, opts.gid);
    const target = path.join(root, relative);
    await moveAside(target, trash, slot());
    await fs.rename(path.join(staging, relative), target);
  }
  await fs.rm(trash, { recursive: true, force: true });
}
