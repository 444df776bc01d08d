/**
 * The plugin on a real kernel: it registers the driver on the `webserver` extension point,
 * reports its health, stops its servers on disable, and starts degraded (not failed) when a
 * binary is missing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { coreServices, definePlugin, extensionPoints, type CommandIO, type SiteSpec } from '@hostplane/sdk';
import { startTestHost, type TestHost } from '@hostplane/sdk/testing';
import nginxPlugin from '../src/index.js';
import { isRunning } from '../src/services/exec.js';
import { assertNoDaemons, daemonsUnder } from './daemons.js';
import { freePort, get, site, systemMissing, tempRoot, uniqueName } from './helpers.js';

/** A plugin that finds web server drivers the way the websites plugin does. */
const probe = definePlugin({
  id: 'probe',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  deps: { extensions: coreServices.extensions },
  setup(ctx) {
    const drivers = () => ctx.deps.extensions.list(extensionPoints.webServer);
    ctx.routes((app) => {
      app.get('/drivers', { config: { public: true } }, async () =>
        Promise.all(drivers().map(async (d) => ({ id: d.id, status: await d.status() }))),
      );
      app.post('/apply', { config: { public: true } }, async (request) => {
        const driver = drivers()[0];
        if (!driver) return { error: 'no driver' };
        try {
          return { applied: await driver.apply(request.body as SiteSpec) };
        } catch (err) {
          return { code: (err as { code?: string }).code, message: (err as Error).message };
        }
      });
    });
  },
});

interface HealthBody {
  plugins: Array<{ id: string; state: string; health: { state: string; reason: string | null } | null }>;
}

/** `/health` once the plugin has reported how starting its servers went (it starts them in the background). */
async function settledHealth(host: {
  inject(r: { method: string; url: string }): Promise<{ json<T>(): T }>;
}): Promise<HealthBody> {
  for (const end = Date.now() + 30_000; ;) {
    const health = (await host.inject({ method: 'GET', url: '/health' })).json<HealthBody>();
    if (health.plugins.find((p) => p.id === 'webserver-nginx')?.health || Date.now() > end) return health;
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('missing nginx: the plugin starts degraded, says why, and apply answers unavailable', async (t) => {
  const root = await tempRoot();
  const host = await startTestHost({
    plugins: [nginxPlugin, probe],
    config: { 'webserver-nginx': { root, nginxBinary: '/nonexistent/nginx' } },
  });
  t.teardown(async () => {
    await host.close();
    await assertNoDaemons(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  t.equal(host.kernel.plugin('webserver-nginx')?.state, 'started');
  const health = await settledHealth(host);
  const mine = health.plugins.find((p) => p.id === 'webserver-nginx');
  t.equal(mine?.health?.state, 'degraded');
  t.match(mine?.health?.reason, /nginx not found at \/nonexistent\/nginx/);
  const drivers = (await host.inject({ method: 'GET', url: '/v1/probe/drivers' })).json<
    Array<{ id: string; status: { state: string } }>
  >();
  t.match(drivers, [{ id: 'nginx', status: { state: 'degraded' } }]);
  const applied = await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: site('nope') });
  t.match(applied.json(), { code: 'WEBSERVER_ERR_UNAVAILABLE', message: /nginx not found/ });
});

/**
 * A test host running the plugin (and the probe) on a fresh root and port, as the current user.
 * Teardown closes it; a daemon still alive then fails the test: the test stops what it started.
 */
async function nginxHost(t: Test): Promise<{ host: TestHost; root: string; port: number }> {
  const root = await tempRoot();
  const port = await freePort();
  const host = await startTestHost({
    plugins: [nginxPlugin, probe],
    config: { 'webserver-nginx': { root, httpPort: port, siteUsers: 'current', workerProcesses: 1 } },
  });
  t.teardown(async () => {
    await host.close();
    await assertNoDaemons(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  return { host, root, port };
}

const missing = systemMissing();
t.test('with nginx and php-fpm: ready, serves sites, stops its servers on disable', { skip: missing ?? false }, async (t) => {
  const { host, root, port } = await nginxHost(t);
  const health = await settledHealth(host);
  t.match(
    health.plugins.find((p) => p.id === 'webserver-nginx'),
    { state: 'started', health: { state: 'ok' } },
  );
  const n = uniqueName('viaplugin');
  const applied = await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: site(n) });
  t.match(applied.json(), {
    applied: { previewUrl: `http://${n}.localhost:${port}`, documentRoot: path.join(root, 'sites', n, 'public') },
  });
  t.equal((await get(port, `${n}.localhost`)).status, 200);
  const pidFile = path.join(root, 'run', 'nginx.pid');
  const pid = Number(await fs.readFile(pidFile, 'utf8'));
  await host.kernel.disable('webserver-nginx');
  t.notOk(await isRunning(pid), 'nginx master gone after disable (a zombie at most)');
  await t.rejects(get(port, `${n}.localhost`), 'nothing listens any more');
});

t.test(
  'a host shutdown leaves nginx and php-fpm serving; the next host adopts them; disable stops them',
  { skip: missing ?? false },
  async (t) => {
    const root = await tempRoot();
    const port = await freePort();
    const config = { 'webserver-nginx': { root, httpPort: port, siteUsers: 'current', workerProcesses: 1 } };
    let host = await startTestHost({ plugins: [nginxPlugin, probe], config });
    t.teardown(async () => {
      await host.close();
      await assertNoDaemons(root);
      await fs.rm(root, { recursive: true, force: true });
    });
    const n = uniqueName('outlives');
    await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: site(n) });
    const nginxPid = Number(await fs.readFile(path.join(root, 'run', 'nginx.pid'), 'utf8'));
    const fpmPids = await Promise.all(
      (await fs.readdir(path.join(root, 'run')))
        .filter((f) => /^php-fpm.*\.pid$/.test(f))
        .map(async (f) => Number(await fs.readFile(path.join(root, 'run', f), 'utf8'))),
    );
    t.ok(fpmPids.length > 0, 'a php-fpm master runs');

    await host.close();
    t.ok(await isRunning(nginxPid), 'nginx outlives the host');
    for (const pid of fpmPids) t.ok(await isRunning(pid), 'php-fpm outlives the host');
    t.equal((await get(port, `${n}.localhost`)).status, 200, 'the site answers with no host running');

    host = await startTestHost({ plugins: [nginxPlugin, probe], config });
    const health = await settledHealth(host);
    t.match(
      health.plugins.find((p) => p.id === 'webserver-nginx'),
      { health: { state: 'ok' } },
    );
    t.equal(Number(await fs.readFile(path.join(root, 'run', 'nginx.pid'), 'utf8')), nginxPid, 'the same master, adopted');
    t.equal((await get(port, `${n}.localhost`)).status, 200);

    await host.kernel.disable('webserver-nginx');
    t.same(await daemonsUnder(root), [], 'disable stops every master');
  },
);

t.test(
  'start does not wait for the servers: health follows, and an apply made meanwhile waits for them',
  { skip: missing ?? false },
  async (t) => {
    const { host, port } = await nginxHost(t);
    const early = (await host.inject({ method: 'GET', url: '/health' })).json<HealthBody>();
    t.equal(early.plugins.find((p) => p.id === 'webserver-nginx')?.health, null, 'no health yet: the servers are starting');
    const n = uniqueName('early');
    const applied = await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: site(n) });
    t.match(applied.json(), { applied: { previewUrl: `http://${n}.localhost:${port}` } }, 'not refused as unavailable');
    t.equal((await get(port, `${n}.localhost`)).status, 200);
    t.match(
      (await settledHealth(host)).plugins.find((p) => p.id === 'webserver-nginx'),
      { health: { state: 'ok' } },
    );
    await host.kernel.disable('webserver-nginx');
  },
);

t.test(
  '`hostplane webserver-nginx stop` stops the servers, for when no host runs to disable them',
  { skip: missing ?? false },
  async (t) => {
    const { host, root, port } = await nginxHost(t);
    const n = uniqueName('stopcmd');
    await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: site(n) });
    t.equal((await get(port, `${n}.localhost`)).status, 200);
    let out = '';
    // The testing kit's kernel type leaves out commands; the kernel behind it runs them.
    const kernel = host.kernel as unknown as {
      runCommand(id: string, name: string, args: string[], io: CommandIO): Promise<number>;
    };
    const code = await kernel.runCommand('webserver-nginx', 'stop', [], { out: (s) => (out += s), err: (s) => (out += s) });
    t.equal(code, 0);
    t.match(out, root);
    t.same(await daemonsUnder(root), [], 'no master left');
    await t.rejects(get(port, `${n}.localhost`), 'nothing listens any more');
  },
);
