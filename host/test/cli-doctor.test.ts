/**
 * `hostplane doctor` on a healthy setup (a database, the web server plugin enabled with real
 * NGINX and PHP-FPM, free ports, writable folders) exits 0; then the same setup broken three
 * ways at once (the NGINX binary missing, the host's port taken, the data folder unwritable)
 * exits 1 and names each problem; an unreachable database is a problem too.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase } from '@hostplane/core';
import { cli } from './support/cli.js';
import { freePort, systemMissing } from '../../plugins/webserver-nginx/test/helpers.js';

const skip = systemMissing() ?? false;

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Make `dir` refuse new files even to root (an immutable folder), else by its mode. Where the
 * file system has no immutable flag (overlayfs in containers), returns null: the caller points
 * the data folder at a file instead, which no one can create files in either.
 */
function makeUnwritable(dir: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    execFileSync('chmod', ['0555', dir]);
    return () => execFileSync('chmod', ['0755', dir]);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir]);
  } catch {
    return null;
  }
}

t.test('doctor: a healthy setup passes, a broken one lists its problems', { skip }, async (t) => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-doctor-'));
  await chmod(dataDir, 0o711);
  let cleanup = async (): Promise<void> => undefined;
  t.teardown(async () => {
    await cleanup();
    await db.drop().catch((e: unknown) => {
      console.error('DROP', e);
      throw e;
    });
    await rm(dataDir, { recursive: true, force: true });
  });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PORT: String(port),
  };
  for (const argv of [
    ['migrate', 'up'],
    ['plugins', 'enable', 'webserver-nginx'],
    ['plugins', 'config', 'set', 'webserver-nginx', `httpPort=${await freePort()}`],
  ]) {
    const r = await cli(argv, env);
    t.equal(r.code, 0, `hostplane ${argv.join(' ')} ${r.err}`);
  }

  const healthy = await cli(['doctor'], env);
  t.equal(healthy.code, 0, `exit 0 when healthy:\n${healthy.out}${healthy.err}`);
  for (const line of [
    /ok +database +PostgreSQL/,
    /ok +database role/,
    /ok +clock/,
    /ok +binary nginx +\/usr\/sbin\/nginx/,
    /ok +binary php-fpm/,
  ]) {
    t.match(healthy.out, line);
  }
  t.match(healthy.out, new RegExp(`ok +port 127\\.0\\.0\\.1:${port} +free for the host`));
  t.match(healthy.out, /ok +data folder .* writable/);
  t.match(healthy.out, /No problems/);

  const set = await cli(['plugins', 'config', 'set', 'webserver-nginx', 'nginxBinary=/opt/hostplane-missing/nginx'], env);
  t.equal(set.code, 0, set.err);
  const holder = await listenOn(port);
  const restore = makeUnwritable(dataDir);
  let restored = false;
  const restoreOnce = (): void => {
    if (!restored) restore?.();
    restored = true;
  };
  cleanup = async () => restoreOnce();
  let brokenEnv = env;
  if (!restore) {
    const notAFolder = join(dataDir, 'not-a-folder');
    await writeFile(notAFolder, '');
    brokenEnv = { ...env, HOSTPLANE_DATA_DIR: notAFolder };
  }

  const broken = await cli(['doctor'], brokenEnv);
  const json = await cli(['doctor', '--json'], brokenEnv);
  restoreOnce();
  holder.close();
  t.equal(broken.code, 1, 'exit 1 with problems');
  t.match(broken.out, /FAIL +binary nginx +\/opt\/hostplane-missing\/nginx is missing/);
  t.match(broken.out, new RegExp(`FAIL +port 127\\.0\\.0\\.1:${port} +cannot be bound \\(EADDRINUSE\\)`));
  t.match(broken.out, /FAIL +data folder .* is not writable/);
  t.match(broken.out, /FAIL +plugins folder .* is not writable/, 'nor can the folders in it be made');
  t.match(broken.out, /ok +binary php-fpm/, 'what still works is still ok');
  t.match(broken.out, /5 problems: binary nginx, port 127\.0\.0\.1:\d+, data folder, plugins folder, web server folder/);

  t.equal(json.code, 1);
  const report = JSON.parse(json.out) as { ok: boolean; checks: Array<{ check: string; status: string }> };
  t.equal(report.ok, false);
  t.same(
    report.checks.filter((c) => c.status === 'fail').map((c) => c.check),
    ['binary nginx', `port 127.0.0.1:${port}`, 'data folder', 'plugins folder', 'web server folder'],
  );
});

t.test('doctor: an unreachable database is a problem, said in one line', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-doctor-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const closed = await freePort();
  const r = await cli(['doctor'], {
    ...process.env,
    DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nowhere`,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PORT: '0',
  });
  t.equal(r.code, 1);
  t.match(r.out, /FAIL +database +cannot reach DATABASE_URL: .*ECONNREFUSED/);
  t.match(r.out, /1 problem: database/);
});
