// The reconciler's handling of what a driver can answer, with a scripted driver standing in for
// failures a real server cannot be made to produce on demand (a flaky disk, a server that comes
// and goes). Served content is proven against real NGINX in provisioning.test.ts.
import t from 'tap';
import {
  definePlugin,
  extensionPoints,
  SiteConfigRejected,
  WebServerUnavailable,
  type SiteSpec,
  type WebServerDriver,
} from '@hostplane/sdk';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import { MAX_FAILURES } from '../src/reconciler.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { eventually } from './helpers.js';

type Answer = 'ok' | 'unavailable' | 'reject' | 'fail';
const script = new Map<string, Answer>();
const applied: SiteSpec[] = [];
const removed: string[] = [];

const driver: WebServerDriver = {
  id: 'scripted',
  async apply(site) {
    const answer = script.get(site.domains[0] as string) ?? 'ok';
    if (answer === 'unavailable') throw WebServerUnavailable('the server is restarting');
    if (answer === 'reject') throw SiteConfigRejected(site.name, 'unknown directive "nope"');
    if (answer === 'fail') throw new Error('disk full');
    applied.push(site);
    return { documentRoot: `/srv/${site.name}`, previewUrl: `http://${site.name}.localhost:8080` };
  },
  async suspend(site) {
    applied.push(site);
  },
  async remove(site) {
    removed.push(site.name);
  },
  async status() {
    return { state: 'ready', reason: null, phpVersions: ['8.2'], reloads: 0 };
  },
  async reload() {},
};

// What other plugins (DNS, backups) would hear.
const heard: Array<{ event: string; payload: Record<string, unknown> }> = [];
const listener = definePlugin({
  id: 'listener',
  sdk: '^0.1.0',
  permissions: ['events:subscribe'],
  setup(ctx) {
    for (const event of ['website.created', 'website.activated', 'website.suspended', 'website.deleted'] as const) {
      ctx.on(event, (payload) => {
        heard.push({ event, payload: payload as unknown as Record<string, unknown> });
      });
    }
  },
});

const scripted = definePlugin({
  id: 'scripted-webserver',
  sdk: '^0.1.0',
  provides: ['webserver'],
  setup(ctx) {
    ctx.extend(extensionPoints.webServer, driver);
  },
});

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, websites, scripted, listener],
  enable: ['accounts', 'websites', 'listener'],
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});
const adminUser = await makeUser(sql, 'super_admin');
const customerUser = await makeUser(sql, 'customer', adminUser);
const admin = caller(host, adminUser);
const customer = caller(host, customerUser);
const pkg = (
  await admin.post('/v1/packages', packageBody({ limits: { websites: 20, domains: 40 }, features: { php_versions: ['8.2'] } }))
).body;
await admin.post('/v1/subscriptions', { customerId: customerUser.id, packageId: pkg.id, billingCycle: 'monthly' });

const site = async (id: string) => (await customer.get(`/v1/websites/${id}`)).body;
const until = (id: string, ok: (s: Record<string, unknown>) => boolean) =>
  eventually(async () => {
    const s = await site(id);
    return ok(s) ? s : undefined;
  });

t.test('sites wait for a driver, then converge when one is enabled', async (t) => {
  const a = (await customer.post('/v1/websites', { domain: 'wait-a.example', kind: 'php' })).body;
  const b = (await customer.post('/v1/websites', { domain: 'wait-b.example', kind: 'static' })).body;
  await until(a.id, (s) => typeof s.statusReason === 'string');
  t.equal((await site(a.id)).status, 'provisioning');
  await host.kernel.enable('scripted-webserver');
  const done = await until(a.id, (s) => s.status === 'active');
  t.match(done, { previewUrl: 'http://wait-a-example.localhost:8080', documentRoot: '/srv/wait-a-example', statusReason: null });
  await until(b.id, (s) => s.status === 'active');
  t.match(
    applied.find((s) => s.id === a.id),
    { kind: 'php', phpVersion: '8.2', domains: ['wait-a.example'], state: 'active', resources: { phpMemoryMb: 256 } },
  );
});

t.test('an unavailable server keeps the site waiting without counting failures', async (t) => {
  script.set('flaky.example', 'unavailable');
  const s = (await customer.post('/v1/websites', { domain: 'flaky.example', kind: 'static' })).body;
  const waiting = await until(s.id, (x) => String(x.statusReason).includes('restarting'));
  t.equal(waiting.status, 'provisioning');
  const [row] = await sql('plugin_websites.websites').where({ id: s.id });
  t.equal(row.failures, 0);
  script.set('flaky.example', 'ok');
  await customer.patch(`/v1/websites/${s.id}`, { aliases: ['www.flaky.example'] });
  await until(s.id, (x) => x.status === 'active');
});

t.test('a refused config is an error at once; a change retries it', async (t) => {
  script.set('refused.example', 'reject');
  const s = (await customer.post('/v1/websites', { domain: 'refused.example', kind: 'static' })).body;
  const err = await until(s.id, (x) => x.status === 'error');
  t.match(err.statusReason, /unknown directive "nope"/);
  t.equal(err.converged, true, 'not retried until something changes');
  t.match(err.history[0], { outcome: 'error' });
  script.delete('refused.example');
  await customer.patch(`/v1/websites/${s.id}`, { aliases: ['www.refused.example'] });
  await until(s.id, (x) => x.status === 'active');
});

t.test('transient failures are retried, then reported', async (t) => {
  script.set('broken.example', 'fail');
  const s = (await customer.post('/v1/websites', { domain: 'broken.example', kind: 'static' })).body;
  const retrying = await until(s.id, (x) => String(x.statusReason).startsWith('retrying after: disk full'));
  t.equal(retrying.status, 'provisioning');
  const [row] = await sql('plugin_websites.websites').where({ id: s.id });
  t.equal(row.failures, 1, 'one failure counted for this generation');
  // Any later run retries it (here: the run another site's creation queues).
  await sql('plugin_websites.websites')
    .where({ id: s.id })
    .update({ failures: MAX_FAILURES - 1 });
  await customer.post('/v1/websites', { domain: 'trigger.example', kind: 'static' });
  const failed = await until(s.id, (x) => x.status === 'error');
  t.match(failed.statusReason, /provisioning failed: disk full/);
  t.equal(failed.converged, true, 'given up until something changes');
  script.delete('broken.example');
  await customer.patch(`/v1/websites/${s.id}`, { aliases: ['www.broken.example'] });
  await until(s.id, (x) => x.status === 'active');
});

t.test('suspension and deletion go through the driver', async (t) => {
  const s = (await customer.post('/v1/websites', { domain: 'life.example', kind: 'static' })).body;
  await until(s.id, (x) => x.status === 'active');
  t.equal((await admin.post(`/v1/websites/${s.id}/suspend`, { reason: 'test' })).status, 200);
  await until(s.id, (x) => x.status === 'suspended');
  t.match(applied.at(-1), { id: s.id, state: 'suspended' });
  t.equal((await admin.post(`/v1/websites/${s.id}/unsuspend`)).status, 200);
  await until(s.id, (x) => x.status === 'active');
  t.equal((await customer.del(`/v1/websites/${s.id}`)).status, 202);
  await eventually(async () => ((await customer.get(`/v1/websites/${s.id}`)).status === 404 ? true : undefined));
  t.ok(removed.includes('life-example'));
  const mine = heard.filter((h) => h.payload.websiteId === s.id).map((h) => h.event);
  t.same(mine, ['website.created', 'website.activated', 'website.suspended', 'website.activated', 'website.deleted']);
  t.match(heard.find((h) => h.payload.websiteId === s.id && h.event === 'website.created')?.payload, {
    domain: 'life.example',
    ownerId: customerUser.id,
    kind: 'static',
  });
  t.match(heard.find((h) => h.payload.websiteId === s.id && h.event === 'website.suspended')?.payload, { reasons: ['admin'] });
});

t.test('PHP resources come from the package, the plugin config filling what it leaves unset', async (t) => {
  const owner = await makeUser(sql, 'customer', adminUser);
  const big = (
    await admin.post(
      '/v1/packages',
      packageBody({ name: 'Big PHP', features: { php_versions: ['8.2'], php_memory_mb: 512, upload_max_mb: 256 } }),
    )
  ).body;
  t.match(big.features, { php_memory_mb: 512, php_max_children: null, upload_max_mb: 256 });
  await admin.post('/v1/subscriptions', { customerId: owner.id, packageId: big.id, billingCycle: 'monthly' });
  const asOwner = caller(host, owner);
  const s = (await asOwner.post('/v1/websites', { domain: 'big-php.example', kind: 'php' })).body;
  await eventually(async () => ((await asOwner.get(`/v1/websites/${s.id}`)).body.status === 'active' ? true : undefined));
  t.match(
    applied.find((a) => a.id === s.id),
    { resources: { phpMemoryMb: 512, phpMaxChildren: 5, uploadMaxMb: 256 } },
  );
});
