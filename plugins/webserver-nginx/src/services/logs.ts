/**
 * Sites' log files: `sites/<name>/logs/{access,error}.log`, written by the NGINX master (root;
 * the folder is root's, so a site user cannot swap a file for a link). Rotation renames each
 * non-empty file to `<kind>.log.<stamp>`, has NGINX reopen, and keeps a bounded number of
 * rotated files per site, so logs never fill the disk however a site is attacked.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RotatedSiteLog, SiteLogFile } from '@hostplane/sdk';
import { sitePaths, type Layout } from '../layout.js';
import { SITE_NAME } from '../names.js';
import type { NginxMaster } from './servers.js';

const KINDS = ['access', 'error'] as const;
type Kind = (typeof KINDS)[number];
/** `20261205T081500123Z`: sorts as time, no characters a path or NGINX would mind. */
const STAMP = /^\d{8}T\d{9}Z$/;

export interface LogRetention {
  /** Rotated files kept per site and kind. */
  files: number;
  /** Bytes of rotated files kept per site and kind (the oldest go first). */
  bytes: number;
}

function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function isoOf(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
}

/** Rotated files of one site and kind, oldest first. */
async function rotated(logsDir: string, kind: Kind): Promise<SiteLogFile[]> {
  const names = await fs.readdir(logsDir).catch(() => [] as string[]);
  const out: SiteLogFile[] = [];
  for (const name of names.sort()) {
    const stamp = name.startsWith(`${kind}.log.`) ? name.slice(kind.length + 5) : '';
    if (!STAMP.test(stamp)) continue;
    const file = path.join(logsDir, name);
    const st = await fs.lstat(file).catch(() => null);
    if (st?.isFile()) out.push({ kind, file, rotatedAt: isoOf(stamp), size: st.size });
  }
  return out;
}

/** Drop the oldest rotated files beyond `keep`; returns what is kept, oldest first. */
async function prune(files: SiteLogFile[], keep: LogRetention): Promise<SiteLogFile[]> {
  const kept: SiteLogFile[] = [];
  let bytes = 0;
  for (const f of [...files].reverse()) {
    if (kept.length < keep.files && bytes + f.size <= keep.bytes) {
      kept.unshift(f);
      bytes += f.size;
    } else {
      await fs.rm(f.file, { force: true });
    }
  }
  return kept;
}

/** Site names that have a tree under `sites/`. */
async function siteNames(layout: Layout): Promise<string[]> {
  const names = await fs.readdir(layout.sites).catch(() => [] as string[]);
  return names.filter((n) => SITE_NAME.test(n)).sort();
}

/**
 * Rotate every site's non-empty logs, reopen, prune; every kept rotated file, oldest first.
 * A file renamed by an earlier call that crashed before the reopen is found and returned too.
 */
export async function rotateSiteLogs(
  layout: Layout,
  nginx: Pick<NginxMaster, 'reopen'>,
  keep: LogRetention,
  now: Date,
): Promise<RotatedSiteLog[]> {
  const stamp = stampOf(now);
  const names = await siteNames(layout);
  const moved: string[] = [];
  for (const name of names) {
    const logs = sitePaths(layout, name).logs;
    for (const kind of KINDS) {
      const current = path.join(logs, `${kind}.log`);
      const st = await fs.lstat(current).catch(() => null);
      if (!st?.isFile() || st.size === 0) continue;
      const target = `${current}.${stamp}`;
      await fs.rename(current, target);
      moved.push(target);
    }
  }
  await nginx.reopen(moved);
  const out: RotatedSiteLog[] = [];
  for (const name of names) {
    const logs = sitePaths(layout, name).logs;
    for (const kind of KINDS) {
      for (const f of await prune(await rotated(logs, kind), keep)) {
        out.push({ ...f, siteName: name, rotatedAt: f.rotatedAt! });
      }
    }
  }
  return out.sort((a, b) => (a.rotatedAt < b.rotatedAt ? -1 : a.rotatedAt > b.rotatedAt ? 1 : a.file < b.file ? -1 : 1));
}

/** A site's log files, newest first: the current ones, then the rotated ones. */
export async function siteLogFiles(layout: Layout, name: string): Promise<SiteLogFile[]> {
  const logs = sitePaths(layout, name).logs;
  const out: SiteLogFile[] = [];
  for (const kind of KINDS) {
    const file = path.join(logs, `${kind}.log`);
    const st = await fs.lstat(file).catch(() => null);
    if (st?.isFile()) out.push({ kind, file, rotatedAt: null, size: st.size });
  }
  const older: SiteLogFile[] = [];
  for (const kind of KINDS) older.push(...(await rotated(logs, kind)));
  // ISO times compare as strings; newest first.
  older.sort((a, b) => (a.rotatedAt! < b.rotatedAt! ? 1 : a.rotatedAt! > b.rotatedAt! ? -1 : 0));
  return [...out, ...older];
}
