/**
 * One site's part of a batch: before the check, make its user, tree and files (remembering what
 * each file held); when a check blames it, put those files back; after the reload, hand a
 * Node.js site to the supervisor, write or drop its state and settle its callers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SiteConfigRejected, type AppliedSite, type SiteSpec } from '@hostplane/sdk';
import { poolFile, poolSocket, siteConfFile, sitePaths, tlsFiles } from '../layout.js';
import { assertValidSpec, certificatePems } from '../names.js';
import { renderSiteConfig, type SiteTlsInput } from '../render/nginx.js';
import { renderSitePool } from '../render/php-fpm.js';
import { httpsListenOf, listenOf, previewUrlOf, webUserOf, type DriverContext } from './driver-context.js';
import { readOrNull, removeFile, writeAtomic, writeIfChanged } from './files.js';
import { chownTree, disownTree, ensurePlaceholder, ensureSiteTree } from './tree.js';
import type { Owner } from './users.js';
import { ArchiveRefused, installWordPress } from './wordpress.js';

/** A caller's wish about one site, settled when its batch is done. */
export type SiteOp =
  | { kind: 'apply'; site: SiteSpec; resolve(v: AppliedSite): void; reject(e: unknown): void }
  | { kind: 'remove'; name: string; keepFiles: boolean; resolve(): void; reject(e: unknown): void };

export interface SiteWork {
  name: string;
  ops: SiteOp[];
  /** File contents before this batch touched them (null: absent). */
  before: Map<string, string | null>;
  changedNginx: boolean;
  changedPools: Set<string>;
  error: unknown;
  owner: Owner | null;
  /** Times an `nginx -t` error named this site. */
  blamed: number;
}

export function newWork(name: string): SiteWork {
  return { name, ops: [], before: new Map(), changedNginx: false, changedPools: new Set(), error: null, owner: null, blamed: 0 };
}

/** Remember a file's content before the batch first changes it. */
async function remember(work: SiteWork, file: string): Promise<void> {
  if (!work.before.has(file)) work.before.set(file, await readOrNull(file));
}

/** Write the site's files for every op; a failure rejects the site and restores its files. */
export async function prepare(ctx: DriverContext, work: SiteWork, owner: Owner | Error | undefined): Promise<void> {
  try {
    for (const op of work.ops) {
      if (op.kind === 'apply') await prepareApply(ctx, work, op.site, owner);
      else await prepareRemove(ctx, work);
    }
  } catch (err) {
    work.error = err;
    await restore(work).catch((e: unknown) => ctx.log.error({ site: work.name, err: e }, 'restore failed'));
  }
}

async function prepareApply(
  ctx: DriverContext,
  work: SiteWork,
  site: SiteSpec,
  resolved: Owner | Error | undefined,
): Promise<void> {
  const L = ctx.layout;
  assertValidSpec(site, ctx.versions);
  if (site.kind === 'nodejs' && site.nodejs?.port === ctx.options.httpPort) {
    throw SiteConfigRejected(site.name, `nodejs.port ${site.nodejs.port} is the web server's own port`);
  }
  const paths = sitePaths(L, site.name);
  if (resolved instanceof Error) throw resolved;
  const owner = resolved ?? (await ctx.users.ensure(site.name, paths.dir));
  work.owner = owner;
  await ensureSiteTree(paths, owner);
  if (site.state === 'active') {
    if (site.kind === 'static' || site.kind === 'php') await ensurePlaceholder(paths, owner);
    if (site.kind === 'wordpress') await ensureWordPress(ctx, site, owner);
  }
  const php = (site.kind === 'php' || site.kind === 'wordpress') && site.state === 'active' ? (site.phpVersion as string) : null;
  const tls = await writeTlsFiles(ctx, work, site);
  const conf = renderSiteConfig({
    site,
    listen: listenOf(ctx.options),
    documentRoot: paths.public,
    logsDir: paths.logs,
    phpSocket: php ? poolSocket(L, php, site.name) : null,
    confDir: L.confDir,
    acmeDir: L.acme,
    tls,
  });
  const confFile = siteConfFile(L, site.name);
  await remember(work, confFile);
  if (await writeIfChanged(confFile, conf, 0o640)) work.changedNginx = true;
  for (const version of ctx.versions) {
    const file = poolFile(L, version, site.name);
    await remember(work, file);
    if (version === php) {
      const pool = renderSitePool({
        site,
        socket: poolSocket(L, version, site.name),
        user: owner.user,
        listenOwner: ctx.isRoot ? webUserOf(ctx.options) : null,
        documentRoot: paths.public,
        tmpDir: paths.tmp,
        logsDir: paths.logs,
      });
      if (await writeIfChanged(file, pool, 0o640)) work.changedPools.add(version);
    } else if (await removeFile(file)) work.changedPools.add(version);
  }
}

/**
 * The site's certificate chain and key as files NGINX loads (root only: the master reads them
 * before dropping to the web user), remembered so a refused batch puts the old ones back.
 * Without `tls` they are removed. Returns what the HTTPS server block needs.
 */
async function writeTlsFiles(ctx: DriverContext, work: SiteWork, site: SiteSpec): Promise<SiteTlsInput | null> {
  const files = tlsFiles(ctx.layout, site.name);
  await remember(work, files.certificate);
  await remember(work, files.key);
  if (!site.tls) {
    const removed = [await removeFile(files.certificate), await removeFile(files.key)];
    if (removed.includes(true)) work.changedNginx = true;
    return null;
  }
  // NGINX reads these only at a reload: a changed certificate needs one even when the config text is the same.
  if (await writeIfChanged(files.certificate, certificatePems(site.tls.certificate), 0o600)) work.changedNginx = true;
  if (await writeIfChanged(files.key, `${site.tls.key.trim()}\n`, 0o600)) work.changedNginx = true;
  return {
    listen: httpsListenOf(ctx.options),
    certificateFile: files.certificate,
    keyFile: files.key,
    forceHttps: site.tls.forceHttps,
    hsts: site.tls.hsts,
  };
}

async function prepareRemove(ctx: DriverContext, work: SiteWork): Promise<void> {
  const L = ctx.layout;
  const confFile = siteConfFile(L, work.name);
  await remember(work, confFile);
  if (await removeFile(confFile)) work.changedNginx = true;
  for (const file of Object.values(tlsFiles(L, work.name))) {
    await remember(work, file);
    await removeFile(file);
  }
  await removeFile(`${confFile}.broken`);
  for (const version of ctx.versions) {
    const file = poolFile(L, version, work.name);
    await remember(work, file);
    if (await removeFile(file)) work.changedPools.add(version);
  }
}

/** Put back every file as it was before the batch. */
export async function restore(work: SiteWork): Promise<void> {
  for (const [file, content] of work.before) {
    if (content === null) await removeFile(file);
    else await writeAtomic(file, content, 0o640);
  }
}

/** A check named this site: restore its previous files (first time) or drop them (its previous files fail too). */
export async function blame(ctx: DriverContext, work: SiteWork, message: string): Promise<void> {
  work.blamed++;
  if (work.error === null) work.error = SiteConfigRejected(work.name, message);
  ctx.log.warn({ site: work.name, message }, 'site configuration rejected; rolling back');
  if (work.blamed === 1) {
    await restore(work);
  } else {
    for (const file of work.before.keys()) await removeFile(file);
  }
}

/** After the check and reload (or their failure, `reloadError`): finish the site and settle its callers. */
export async function finish(ctx: DriverContext, work: SiteWork, reloadError: unknown): Promise<void> {
  const error = work.error ?? reloadError;
  if (error === null) {
    try {
      await complete(ctx, work);
    } catch (err) {
      ctx.log.error({ site: work.name, err }, 'finishing the site failed');
      for (const op of work.ops) op.reject(err);
      return;
    }
  }
  for (const op of work.ops) {
    if (error !== null) op.reject(error);
    else if (op.kind === 'apply')
      op.resolve({
        documentRoot: sitePaths(ctx.layout, op.site.name).public,
        previewUrl: previewUrlOf(ctx.options, op.site.name),
      });
    else op.resolve();
  }
}

/** After the reload: app processes, users, trees, state files. */
async function complete(ctx: DriverContext, work: SiteWork): Promise<void> {
  const last = work.ops[work.ops.length - 1];
  if (!last) return;
  const L = ctx.layout;
  const stateFile = path.join(L.state, `${work.name}.json`);
  if (last.kind === 'apply') {
    const site = last.site;
    if (site.kind === 'nodejs' && site.state === 'active' && work.owner) await startApp(ctx, site, work.owner);
    else await ctx.supervisor.stop(site.name);
    await writeIfChanged(stateFile, `${JSON.stringify(site, null, 2)}\n`, 0o600);
    return;
  }
  await ctx.supervisor.stop(work.name);
  for (const version of ctx.versions) await removeFile(poolSocket(L, version, work.name));
  const paths = sitePaths(L, work.name);
  if (!last.keepFiles) await fs.rm(paths.dir, { recursive: true, force: true });
  else if (ctx.users.mode === 'per-site') await disownTree(paths.dir);
  await ctx.users.remove(work.name);
  await removeFile(stateFile);
  await removeFile(path.join(L.state, `${work.name}.wordpress`));
}

/** The Node.js hand-off: the supervisor runs the app as the site user. */
async function startApp(ctx: DriverContext, site: SiteSpec, owner: Owner): Promise<void> {
  const app = site.nodejs;
  if (!app) return;
  const paths = sitePaths(ctx.layout, site.name);
  await ctx.supervisor.ensure({
    name: site.name,
    spec: app,
    cwd: paths.app,
    logFile: path.join(paths.logs, 'app.log'),
    uid: owner.uid,
    gid: owner.gid,
  });
}

async function ensureWordPress(ctx: DriverContext, site: SiteSpec, owner: Owner): Promise<void> {
  const marker = path.join(ctx.layout.state, `${site.name}.wordpress`);
  if ((await readOrNull(marker)) !== null || !site.wordpress) return;
  const paths = sitePaths(ctx.layout, site.name);
  try {
    await installWordPress(site.wordpress, paths.public, paths.tmp);
  } catch (err) {
    // A bad archive is this site's configuration problem; a failed download may be retried.
    if (err instanceof ArchiveRefused) throw SiteConfigRejected(site.name, err.message);
    throw err;
  }
  await chownTree(paths.public, owner);
  await writeAtomic(marker, `${new Date().toISOString()}\n`, 0o600);
}
