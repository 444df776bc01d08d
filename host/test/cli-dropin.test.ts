/**
 * The drop-in proof, as an admin would do it: a built third-party plugin copied into a plugins
 * folder outside the install, enabled with the CLI while `hostplane start` runs in its own
 * process; its routes appear without a restart or a rebuild, and vanish when disabled.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@hostplane/core';
import { stopAtExitUnder, stopDaemonsUnder } from '../../plugins/webserver-nginx/test/daemons.js';
import { REPO, cli, dropInHello, until } from './support/cli.js';

const entry = join(REPO, 'host/dist/cli/main.js');

/**
 * A data dir of the test's own. A first `hostplane start` enables every first-party plugin, so
 * the web server starts NGINX and PHP-FPM under `<data dir>/webserver` (and the database drivers
 * MariaDB and PostgreSQL under `<data dir>/mariadb`, `…/postgresql`); they outlive the host by
 * design (a SIGTERM or SIGKILL leaves them serving), so the test ends them itself.
 */
async function ownDataDir(t: Test): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-dropin-data-'));
  stopAtExitUnder(dataDir);
  t.teardown(async () => {
    await stopDaemonsUnder(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });
  return dataDir;
}

t.test(
  'a drop-in plugin enabled by the CLI serves on a running host; disable removes it',
  { skip: existsSync(entry) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    const db = await createTestDatabase();
    t.teardown(() => db.drop());
    const pluginsDir = await dropInHello(t);
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      HOSTPLANE_DATA_DIR: await ownDataDir(t),
      HOSTPLANE_PLUGINS_DIR: pluginsDir,
      HOSTPLANE_PORT: '0',
      HOSTPLANE_LOG_LEVEL: 'warn',
      HOSTPLANE_SEED_DEMO: '1',
    };
    // The compiled host, as `npm start` runs it: no TypeScript loader, no source condition.
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.teardown(() => child.kill('SIGKILL'));

    const base = await until('the host to listen', async () => stdout.match(/running at (http:\/\/\S+)/)?.[1]);
    const get = (path: string) => fetch(`${base}${path}`).then(async (r) => ({ status: r.status, body: await r.text() }));
    t.equal((await get('/v1/hello?name=Ada')).status, 404, 'not enabled yet: no route');
    t.match(stdout, /demo logins/);

    // The example is not signed: allowed by name, as an admin would (cli-signing.test.ts signs one).
    t.equal((await cli(['plugins', 'allow-unsigned', 'hello'], env)).code, 0);
    const enabled = await cli(['plugins', 'enable', 'hello'], env);
    t.equal(enabled.code, 0, enabled.err);
    // Protected route: without a login it answers 401, which proves it exists (a missing one is 404).
    const answered = await until('hello routes', async () => {
      const res = await get('/v1/hello?name=Ada');
      return res.status === 401 ? res : undefined;
    });
    t.match(JSON.parse(answered.body), { error: { code: 'COMMON_ERR_UNAUTHENTICATED' } });
    const health = JSON.parse((await get('/health')).body) as { plugins: Array<{ id: string; state: string }> };
    t.match(
      health.plugins.find((p) => p.id === 'hello'),
      { state: 'started' },
    );
    const openapi = JSON.parse((await get('/v1/openapi.json')).body) as { paths: Record<string, unknown> };
    t.ok(openapi.paths['/v1/hello/greetings'], 'its routes are in the OpenAPI document');

    t.equal((await cli(['plugins', 'disable', 'hello'], env)).code, 0);
    await until('hello routes to go', async () => ((await get('/v1/hello?name=Ada')).status === 404 ? true : undefined));
    const after = JSON.parse((await get('/v1/openapi.json')).body) as { paths: Record<string, unknown> };
    t.notOk(after.paths['/v1/hello/greetings'], 'and out of the OpenAPI document');

    child.kill('SIGTERM');
    t.equal(await exited, 0, `graceful exit (stderr: ${stderr.slice(0, 500)})`);
  },
);

t.test(
  'SIGTERM during a slow request: the request completes, then the host exits 0',
  { skip: existsSync(entry) ? false : 'host/dist is not built: run `npm run build` (npm test does)' },
  async (t) => {
    const db = await createTestDatabase();
    t.teardown(() => db.drop());
    const pluginsDir = await mkdtemp(join(tmpdir(), 'hostplane-slow-'));
    t.teardown(() => rm(pluginsDir, { recursive: true, force: true }));
    // A drop-in runs isolated as its own user, who must be able to read the folder.
    await chmod(pluginsDir, 0o755);
    await mkdir(join(pluginsDir, 'slow'));
    await writeFile(
      join(pluginsDir, 'slow/package.json'),
      JSON.stringify({
        name: 'hostplane-plugin-slow',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        hostplane: { id: 'slow', sdk: '^0.1.0', permissions: ['http:routes'] },
      }),
    );
    await writeFile(
      join(pluginsDir, 'slow/index.js'),
      `import { definePlugin } from '@hostplane/sdk';
export default definePlugin({ id: 'slow', sdk: '^0.1.0', permissions: ['http:routes'], setup(ctx) {
  ctx.routes((app) => { app.get('/', { config: { public: true } }, async () => { await new Promise((r) => setTimeout(r, 1500)); return { done: true }; }); });
} });
`,
    );
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      HOSTPLANE_DATA_DIR: await ownDataDir(t),
      HOSTPLANE_PLUGINS_DIR: pluginsDir,
      HOSTPLANE_PORT: '0',
      HOSTPLANE_LOG_LEVEL: 'warn',
    };
    delete env.NODE_OPTIONS;
    t.equal((await cli(['plugins', 'allow-unsigned', 'slow'], env)).code, 0);
    t.equal((await cli(['plugins', 'enable', 'slow'], env)).code, 0);
    const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.teardown(() => child.kill('SIGKILL'));
    const base = await until('the host to listen', async () => stdout.match(/running at (http:\/\/\S+)/)?.[1]);
    const slow = fetch(`${base}/v1/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    t.same(await slow, { status: 200, body: { done: true } }, 'the request in flight was answered');
    t.equal(await exited, 0);
  },
);
