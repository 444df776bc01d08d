/**
 * Adminer's files and pool at each start (decision 0075): with `adminerPort` set, the launcher,
 * the token and session folders (owned by the Adminer user, 0700), a pool in the newest PHP
 * version and a server block; without it, all of that is removed. As root, Adminer runs as its
 * own system user `hostplane-adminer`, never as a site's user nor as NGINX's.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { adminerPaths, poolDir, poolFile, poolSocket } from '../layout.js';
import { renderAdminerPool, renderAdminerServer, renderLauncher } from '../render/adminer.js';
import { run } from './exec.js';
import { listenOf, webUserOf, type DriverContext } from './driver-context.js';
import { removeFile, writeIfChanged } from './files.js';
import { lookupUser } from './users.js';

export const ADMINER_USER = 'hostplane-adminer';
const DEFAULT_SCRIPT = '/usr/share/adminer/adminer.php';
/** The databases plugin drops an Adminer login's temporary user after its session length (default 60 min). */
const SESSION_MINUTES = 60;

/** Write (or remove) Adminer's files; returns the server block file for nginx.conf, or null. */
export async function prepareAdminer(ctx: DriverContext): Promise<string | null> {
  const o = ctx.options;
  const L = ctx.layout;
  const A = adminerPaths(L);
  const newest = ctx.versions[0];
  if (!o.adminerPort || !newest) {
    await removeFile(A.nginxConf);
    for (const version of ctx.versions) await removeFile(poolFile(L, version, '_adminer'));
    return null;
  }
  const script = o.adminerScript ?? DEFAULT_SCRIPT;
  await fs.access(script).catch(() => {
    throw new Error(`Adminer not found at ${script} (apt-get install adminer, or set adminerPort to 0)`);
  });
  const owner = ctx.isRoot ? await ensureAdminerUser() : null;
  for (const [dir, mode] of [
    [A.dir, 0o755],
    [A.www, 0o755],
    [A.tokens, 0o700],
    [A.sessions, 0o700],
  ] as const) {
    await fs.mkdir(dir, { recursive: true, mode });
    await fs.chmod(dir, mode);
  }
  if (owner) for (const dir of [A.tokens, A.sessions]) await fs.chown(dir, owner.uid, owner.gid);
  await writeIfChanged(path.join(A.www, 'index.php'), renderLauncher({ tokensDir: A.tokens, adminerScript: script }));
  await fs.chmod(path.join(A.www, 'index.php'), 0o644);
  const socket = poolSocket(L, newest, '_adminer');
  // One pool, in the newest PHP: an older version's file from an earlier start goes.
  for (const version of ctx.versions.slice(1)) await removeFile(poolFile(L, version, '_adminer'));
  await fs.mkdir(poolDir(L, newest), { recursive: true, mode: 0o750 });
  await writeIfChanged(
    poolFile(L, newest, '_adminer'),
    renderAdminerPool({
      socket,
      user: owner ? ADMINER_USER : null,
      listenOwner: ctx.isRoot ? webUserOf(o) : null,
      dir: A.www,
      tokensDir: A.tokens,
      sessionsDir: A.sessions,
      adminerScript: script,
      logsDir: L.logs,
      sessionMinutes: SESSION_MINUTES,
    }),
  );
  const listen = `${listenOf(o).replace(/:[0-9]+$/, '')}:${o.adminerPort}`;
  await writeIfChanged(A.nginxConf, renderAdminerServer({ listen, dir: A.www, socket, confDir: L.confDir, logsDir: L.logs }));
  return A.nginxConf;
}

/** The Adminer system user, made once: no home, no shell, in no site's group. */
async function ensureAdminerUser(): Promise<{ uid: number; gid: number }> {
  let entry = await lookupUser(ADMINER_USER);
  if (!entry) {
    const r = await run('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      '--user-group',
      '--comment',
      'hostplane adminer',
      ADMINER_USER,
    ]);
    if (r.code !== 0 && r.code !== 9) throw new Error(`useradd ${ADMINER_USER} failed: ${r.stderr.trim()}`);
    entry = await lookupUser(ADMINER_USER);
    if (!entry) throw new Error(`useradd ${ADMINER_USER} left no user`);
  }
  return { uid: entry.uid, gid: entry.gid };
}
