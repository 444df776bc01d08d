/**
 * The plugin on a real kernel and the managed server's lifecycle: the provider is found on the
 * `dns-provider` extension point; pdns_server outlives a host shutdown and a host crash and is
 * adopted by the next start; a config change restarts it; a disable stops it; a missing binary
 * leaves the plugin started but degraded.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { coreServices, definePlugin, extensionPoints } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/testing';
import { contractZone } from '@hostplane/testing';
import powerdns, { PowerDnsDriver } from '../src/index.js';
import { dig, freePort, managedConfig, pdnsUnder, systemMissing } from './helpers.js';

/** Finds DNS providers the way the dns plugin does. */
const probe = definePlugin({
  id: 'probe',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  deps: { extensions: coreServices.extensions },
  setup(ctx) {
    const providers = () => ctx.deps.extensions.list(extensionPoints.dnsProvider);
    ctx.routes((app) => {
      app.get('/providers', { config: { public: true } }, async () =>
        Promise.all(providers().map(async (p) => ({ id: p.id, status: await p.status() }))),
      );
      app.post('/apply', { config: { public: true } }, async (request) => {
        const provider = providers()[0];
        if (!provider) return { error: 'no provider' };
        try {
          await provider.applyZone(contractZone((request.body as { zone: string }).zone, 1));
          return { applied: true };
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

/** The plugin's health once it has reported one: the server starts after the host does. */
async function health(host: { inject(r: { method: string; url: string }): Promise<{ json<T>(): T }> }) {
  for (let i = 0; ; i++) {
    const body = (await host.inject({ method: 'GET', url: '/health' })).json<HealthBody>();
    const plugin = body.plugins.find((p) => p.id === 'dns-powerdns');
    if ((plugin as { health?: unknown } | undefined)?.health || i >= 300) return plugin;
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('missing pdns_server: started, degraded with the reason, applyZone unavailable', async (t) => {
  const { config, cleanup } = await managedConfig();
  const host = await startTestHost({
    plugins: [powerdns, probe],
    config: { 'dns-powerdns': { ...config, pdnsBinary: '/nonexistent/pdns_server' } },
  });
  t.teardown(async () => {
    await host.close();
    await cleanup();
  });
  t.match(await health(host), {
    state: 'started',
    health: { state: 'degraded', reason: /\/nonexistent\/pdns_server not found/ },
  });
  const applied = await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: { zone: 'nope.test' } });
  t.match(applied.json(), { code: 'DNS_ERR_PROVIDER_UNAVAILABLE' });
});

const missing = systemMissing();
t.test(
  'pdns_server outlives a host shutdown, is adopted by the next host, restarts on a config change, stops on disable',
  { skip: missing ?? false },
  async (t) => {
    const { config, cleanup } = await managedConfig();
    let host = await startTestHost({ plugins: [powerdns, probe], config: { 'dns-powerdns': { ...config } } });
    t.teardown(async () => {
      await host.close();
      await cleanup();
    });
    t.match(await health(host), { health: { state: 'ok' } });
    t.match((await host.inject({ method: 'GET', url: '/v1/probe/providers' })).json(), [
      { id: 'powerdns', status: { state: 'ready', listen: `127.0.0.1:${config.dnsPort}`, dnssec: true } },
    ]);
    t.same((await host.inject({ method: 'POST', url: '/v1/probe/apply', payload: { zone: 'outlives.test' } })).json(), {
      applied: true,
    });
    const [pid] = pdnsUnder(config.root);
    t.ok(pid, 'a pdns_server runs under the root');
    const conf = await fs.readFile(path.join(config.root, 'etc', 'pdns.conf'), 'utf8');
    t.match(conf, `local-port=${config.dnsPort}`);
    t.equal((await fs.stat(path.join(config.root, 'etc', 'pdns.conf'))).mode & 0o777, 0o600, 'secrets only for us');

    await host.close();
    t.same(pdnsUnder(config.root), [pid], 'pdns_server outlives the host');
    t.same(await dig(config.dnsPort, 'outlives.test', 'A'), ['192.0.2.10'], 'answers with no host running');

    host = await startTestHost({ plugins: [powerdns, probe], config: { 'dns-powerdns': { ...config } } });
    t.match(await health(host), { health: { state: 'ok' } });
    t.same(pdnsUnder(config.root), [pid], 'the same server, adopted');

    const dnsPort = await freePort();
    await host.kernel.setConfig('dns-powerdns', { ...config, dnsPort });
    t.match(await health(host), { health: { state: 'ok' } });
    const [again] = pdnsUnder(config.root);
    t.not(again, pid, 'a new port is a new server');
    t.same(await dig(dnsPort, 'outlives.test', 'A'), ['192.0.2.10'], 'zones kept in PostgreSQL');

    await host.kernel.disable('dns-powerdns');
    t.same(pdnsUnder(config.root), [], 'disable stops pdns_server');
  },
);

t.test(
  'after a host crash the next start adopts the running server, or starts a new one if it died',
  { skip: missing ?? false },
  async (t) => {
    const { config, cleanup } = await managedConfig();
    t.teardown(cleanup);
    const crashed = new PowerDnsDriver(config, config.root);
    t.equal((await crashed.start()).state, 'ready');
    await crashed.provider.applyZone(contractZone('crash.test', 7));
    const [pid] = pdnsUnder(config.root);
    // The host process died: nothing called stop. A new process builds a new driver on the same root.
    const next = new PowerDnsDriver(config, config.root);
    t.equal((await next.start()).state, 'ready');
    t.same(pdnsUnder(config.root), [pid], 'adopted, not started twice');
    t.equal((await next.provider.getZone('crash.test'))?.serial, 7, 'the adopter reads the zones (same API key)');

    process.kill(pid as number, 'SIGKILL');
    for (const end = Date.now() + 5_000; pdnsUnder(config.root).length > 0 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    const third = new PowerDnsDriver(config, config.root);
    t.equal((await third.start()).state, 'ready', 'a stale pidfile does not stop a fresh start');
    const [fresh] = pdnsUnder(config.root);
    t.ok(fresh && fresh !== pid, 'a new server');
    t.same(await dig(config.dnsPort, 'crash.test', 'SOA').then((a) => a.map((s) => s.split(' ')[2])), ['7']);
    await third.stop();
    t.same(pdnsUnder(config.root), []);
  },
);

t.test('managed mode without databaseUrl: degraded, no database made, no daemon', async (t) => {
  const { config, cleanup } = await managedConfig();
  const host = await startTestHost({ plugins: [powerdns, probe], config: { 'dns-powerdns': { ...config, databaseUrl: '' } } });
  t.teardown(async () => {
    await host.close();
    await cleanup();
  });
  t.match(await health(host), { health: { state: 'degraded', reason: /set databaseUrl/ } });
  t.same(pdnsUnder(config.root), []);
});
