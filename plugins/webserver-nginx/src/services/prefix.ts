/**
 * Start of managed mode: check the binaries and the root, write the main configs, set aside site
 * files an earlier process left broken, then start the masters or adopt running ones.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fpmConf, fpmLog, fpmPid, poolDir, poolSocket } from '../layout.js';
import { FASTCGI_PARAMS, MIME_TYPES, renderMainConfig } from '../render/nginx.js';
import { renderFpmMain, renderPool } from '../render/php-fpm.js';
import { safePath } from '../render/quote.js';
import { prepareAdminer } from './adminer.js';
import { checkFpm, checkNginx } from './checks.js';
import { listenOf, webUserOf, type DriverContext } from './driver-context.js';
import { writeIfChanged } from './files.js';
import { installTag } from './install-tag.js';
import { FpmMaster } from './servers.js';
import { lookupUser, SiteUsers } from './users.js';

/** Longest path a unix socket may have (sun_path is 108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;

/** The checks that take milliseconds: a usable root, the binaries, the PHP versions. Throws the reason. */
export async function preflight(ctx: DriverContext): Promise<void> {
  const o = ctx.options;
  const L = ctx.layout;
  safePath(L.root);
  const longest = poolSocket(L, '99.99', 'x'.repeat(31));
  if (longest.length > MAX_SOCKET_PATH)
    throw new Error(`root ${L.root} is too long for PHP-FPM socket paths; choose a shorter one`);
  if (!(await executable(o.nginxBinary))) throw new Error(`nginx not found at ${o.nginxBinary}`);
  ctx.versions = await findPhpVersions(o.phpFpmDir);
  if (ctx.versions.length === 0) throw new Error(`no php-fpm binary (php-fpm<major.minor>) in ${o.phpFpmDir}`);
}

/** Prepare the prefix and start (or adopt) the masters; throws the reason the server cannot run. */
export async function startServers(ctx: DriverContext): Promise<void> {
  const o = ctx.options;
  const L = ctx.layout;
  await preflight(ctx);

  const webUser = webUserOf(o);
  const web = ctx.isRoot ? await lookupUser(webUser) : null;
  if (ctx.isRoot && web === null) throw new Error(`running as root but the web user ${webUser} does not exist`);
  const mode = o.siteUsers === 'auto' ? (ctx.isRoot ? 'per-site' : 'current') : o.siteUsers;
  if (mode === 'per-site' && !ctx.isRoot) throw new Error("siteUsers 'per-site' needs root; use 'current'");

  for (const [dir, dirMode] of [
    [L.root, 0o711],
    [L.sites, 0o711],
    [L.run, 0o755],
    [L.logs, 0o755],
    [L.tmp, 0o755],
    [L.confDir, 0o750],
    [L.sitesConf, 0o750],
    [L.state, 0o700],
    [L.php, 0o750],
    [L.tls, 0o700],
    // NGINX's workers (the web user) read the tokens.
    [L.acme, 0o755],
  ] as const) {
    await fs.mkdir(dir, { recursive: true, mode: dirMode });
    await fs.chmod(dir, dirMode);
  }
  if (web) await assertTraversable(L.root, web);
  const tag = await installTag(L);
  ctx.users = new SiteUsers(mode, web === null ? null : { name: webUser, uid: web.uid, gid: web.gid }, tag);
  await writeIfChanged(path.join(L.confDir, 'mime.types'), MIME_TYPES);
  await writeIfChanged(path.join(L.confDir, 'fastcgi_params'), FASTCGI_PARAMS);
  for (const version of ctx.versions) {
    await fs.mkdir(poolDir(L, version), { recursive: true, mode: 0o750 });
    await writeIfChanged(
      fpmConf(L, version),
      renderFpmMain({ pidFile: fpmPid(L, version), logFile: fpmLog(L, version), poolDir: poolDir(L, version) }),
    );
    // php-fpm refuses to start without a pool; this one never spawns a process (ondemand).
    await writeIfChanged(
      path.join(poolDir(L, version), '_idle.conf'),
      renderPool({
        pool: '_idle',
        socket: poolSocket(L, version, '_idle'),
        user: ctx.isRoot ? webUser : null,
        group: ctx.isRoot ? webUser : null,
        listenOwner: ctx.isRoot ? webUser : null,
        maxChildren: 1,
        admin: {},
      }),
    );
  }
  await writeIfChanged(L.nginxConf, renderMain(ctx, await prepareAdminer(ctx)));
  addFpmMasters(ctx);

  // Files left broken by an earlier process must not keep the server down: set them aside.
  await checkNginx(ctx, new Map());
  for (const [version, master] of ctx.fpm) await checkFpm(ctx, version, master, new Map());

  // A master adopted from an earlier process (one killed mid-batch, say) may run an older
  // config than the files now on disk, and later batches only reload when a file changes:
  // load what is on disk (checked just above) now.
  const started = await ctx.nginx.start();
  if (started === 'adopted') await ctx.nginx.reload();
  ctx.log.info({ prefix: L.prefix, listen: listenOf(o), how: started }, 'nginx running');
  for (const master of ctx.fpm.values()) {
    const how = await master.start();
    if (how === 'adopted') await master.reload();
    ctx.log.info({ php: master.version, how }, 'php-fpm running');
  }
}

/** One PHP-FPM master per PHP version found (they only read their pidfiles until started). */
function addFpmMasters(ctx: DriverContext): void {
  const L = ctx.layout;
  for (const version of ctx.versions) {
    const binary = path.join(ctx.options.phpFpmDir, `php-fpm${version}`);
    ctx.fpm.set(version, new FpmMaster(version, binary, fpmConf(L, version), fpmPid(L, version), fpmLog(L, version)));
  }
}

/**
 * Stop the masters running under the root, whoever started them: `hostplane webserver-nginx
 * stop`, for when no host runs to stop them by a disable (they outlive a host that stops).
 */
export async function stopServers(ctx: DriverContext): Promise<void> {
  await preflight(ctx);
  addFpmMasters(ctx);
  await ctx.nginx.stop();
  await Promise.all([...ctx.fpm.values()].map((m) => m.stop()));
}

function renderMain(ctx: DriverContext, adminerConf: string | null): string {
  const L = ctx.layout;
  return renderMainConfig({
    prefix: L.prefix,
    pidFile: L.nginxPid,
    logsDir: L.logs,
    tmpDir: L.tmp,
    confDir: L.confDir,
    sitesConfDir: L.sitesConf,
    listen: listenOf(ctx.options),
    user: ctx.isRoot ? webUserOf(ctx.options) : null,
    workerProcesses: ctx.options.workerProcesses,
    adminerConf,
  });
}

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PHP versions with a php-fpm binary in `dir` (`php-fpm8.2` → `8.2`), newest first. */
export async function findPhpVersions(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  const versions: string[] = [];
  for (const entry of entries) {
    const m = /^php-fpm([0-9]{1,2}\.[0-9]{1,2})$/.exec(entry);
    if (m?.[1] && (await executable(path.join(dir, entry)))) versions.push(m[1]);
  }
  return versions.sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
}

/**
 * NGINX workers run as the web user and must pass through every folder above the root; a
 * private parent (a 0700 data dir, /root) would make every site answer 404 with only a
 * `Permission denied` in each site's error log. Refuse to start, naming the folder.
 */
async function assertTraversable(root: string, web: { name: string; uid: number; gid: number }): Promise<void> {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const st = await fs.stat(dir);
    const bit = st.uid === web.uid ? 0o100 : st.gid === web.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new Error(
        `the web user ${web.name} cannot reach ${root}: ${dir} is mode ${(st.mode & 0o777).toString(8)}; allow traversal (chmod o+x ${dir}) or choose another root`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}
