// The website resource through its API, with no web server plugin enabled: validation, limits,
// tenancy, suspension following the subscription, and sites that wait for a server.
import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { eventually } from './helpers.js';

// Versions as the packages say: websites requires accounts ^0.1.0.
const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, websites] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerA = await makeUser(sql, 'reseller', adminUser);
const resellerB = await makeUser(sql, 'reseller', adminUser);
const customerA = await makeUser(sql, 'customer', resellerA);
const customerA2 = await makeUser(sql, 'customer', resellerA);
const customerB = await makeUser(sql, 'customer', resellerB);
const techA = await makeUser(sql, 'technical_user', customerA);
const admin = caller(host, adminUser);
const asA = caller(host, resellerA);
const asB = caller(host, resellerB);
const alice = caller(host, customerA);
const alice2 = caller(host, customerA2);
const bob = caller(host, customerB);
const tech = caller(host, techA);

const wholesale = (
  await admin.post(
    '/v1/packages',
    packageBody({ name: 'Wholesale', visibility: 'reseller_only', limits: { websites: 100, domains: 100 } }),
  )
).body;
for (const r of [resellerA, resellerB]) {
  await admin.post('/v1/subscriptions', { customerId: r.id, packageId: wholesale.id, billingCycle: 'yearly' });
}
const small = (await asA.post('/v1/packages', packageBody({ name: 'Small', limits: { websites: 2, domains: 3 } }))).body;
const smallB = (await asB.post('/v1/packages', packageBody({ name: 'SmallB', limits: { websites: 5, domains: 10 } }))).body;
const subA = (await asA.post('/v1/subscriptions', { customerId: customerA.id, packageId: small.id, billingCycle: 'monthly' }))
  .body;
const subA2 = (await asA.post('/v1/subscriptions', { customerId: customerA2.id, packageId: small.id, billingCycle: 'monthly' }))
  .body;
await asB.post('/v1/subscriptions', { customerId: customerB.id, packageId: smallB.id, billingCycle: 'monthly' });

let shop: { id: string; name: string };

t.test('a customer creates a website in its only subscription', async (t) => {
  const res = await alice.post('/v1/websites', { domain: 'Shop.Example.COM', aliases: ['www.shop.example.com'], kind: 'php' });
  t.equal(res.status, 201, JSON.stringify(res.body));
  t.match(res.body, {
    domain: 'shop.example.com',
    aliases: ['www.shop.example.com'],
    kind: 'php',
    phpVersion: '8.3',
    status: 'provisioning',
    ownerId: customerA.id,
    subscriptionId: subA.id,
    name: 'shop-example-com',
    converged: false,
  });
  shop = res.body;
  const one = await alice.get(`/v1/websites/${shop.id}`);
  t.equal(one.status, 200);
  const { name } = (await sql('hostplane.users').where({ id: customerA.id }).first('name')) as { name: string };
  t.match(one.body.history.at(-1), { step: 'create', outcome: 'info', message: `created by ${name}` }, 'by name, not id');
});

t.test('with no web server, sites wait and say why', async (t) => {
  const server = await alice.get('/v1/websites/server');
  t.match(server.body, { driver: null, state: 'absent', phpVersions: [] });
  const site = await eventually(async () => {
    const res = await alice.get(`/v1/websites/${shop.id}`);
    return res.body.statusReason ? res.body : undefined;
  });
  t.equal(site.status, 'provisioning');
  t.match(site.statusReason, /waiting for the web server: no web server plugin is enabled/);
  t.match(site.history, [{ outcome: 'waiting' }, { step: 'create' }]);
});

t.test('validation names the field', async (t) => {
  const cases: Array<[Record<string, unknown>, number, string, string?]> = [
    [{ domain: '../etc', kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/domain'],
    [{ domain: 'evil.com;\nlisten 80', kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/domain'],
    [{ domain: 'p\u0430ypal.com', kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/domain'],
    [{ domain: 'ok.example', aliases: ['bad..example'], kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/aliases/0'],
    [{ domain: 'ok.example', aliases: ['ok.example'], kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/aliases/0'],
    [{ domain: 'shop.localhost', kind: 'static' }, 400, 'WEBSITES_ERR_DOMAIN_INVALID', '/body/domain'],
    [{ domain: 'ok.example', kind: 'rails' }, 400, 'HOST_ERR_VALIDATION'],
    [{ domain: 'ok.example', kind: 'php', phpVersion: '5.6' }, 400, 'WEBSITES_ERR_PHP_VERSION', '/body/phpVersion'],
    [{ domain: 'ok.example', kind: 'static', phpVersion: '8.2' }, 400, 'WEBSITES_ERR_SETTINGS', '/body/phpVersion'],
    [{ domain: 'ok.example', kind: 'static', nodejs: { command: ['node'] } }, 400, 'WEBSITES_ERR_SETTINGS', '/body/nodejs'],
    [
      { domain: 'ok.example', kind: 'static', extraDirectives: 'return 200;' },
      400,
      'WEBSITES_ERR_SETTINGS',
      '/body/extraDirectives',
    ],
    [{ domain: 'ok.example', kind: 'static', subscriptionId: subA2.id }, 400, 'WEBSITES_ERR_SUBSCRIPTION_INVALID'],
    [{ domain: 'shop.example.com', kind: 'static' }, 409, 'WEBSITES_ERR_DOMAIN_TAKEN'],
    [{ domain: 'other.example', aliases: ['WWW.shop.example.com'], kind: 'static' }, 409, 'WEBSITES_ERR_DOMAIN_TAKEN'],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await alice.post('/v1/websites', body);
    t.equal(res.status, status, `${JSON.stringify(body)} → ${status}`);
    t.equal(res.body.error.code, code, JSON.stringify(res.body));
    if (field) t.match(JSON.stringify(res.body.error.details), field);
  }
  t.equal((await tech.post('/v1/websites', { domain: 'tech.example', kind: 'static' })).status, 403, 'technical users only read');
  // Nothing half-written: no site row for any refused request.
  const [{ count }] = (await sql('plugin_websites.websites').count({ count: '*' })) as Array<{ count: string }>;
  t.equal(Number(count), 1);
});

t.test('package limits hold, under concurrency too', async (t) => {
  // Small allows 2 websites and 3 domains; shop used 1 site and 2 domains.
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => alice.post('/v1/websites', { domain: `burst-${i}.example`, kind: 'static' })),
  );
  t.equal(results.filter((r) => r.status === 201).length, 1, 'exactly one more fits');
  const refused = results.filter((r) => r.status !== 201);
  t.ok(refused.every((r) => r.status === 409 && r.body.error.code === 'LIMITS_ERR_EXCEEDED'));
  const usage = (await alice.get(`/v1/subscriptions/${subA.id}/usage`)).body;
  const websitesLine = usage.resources.find((r: { resource: string }) => r.resource === 'websites');
  t.match(websitesLine, { used: 2, limit: 2 });
});

t.test('tenancy: nobody sees or touches sites outside their subtree', async (t) => {
  t.equal((await bob.get(`/v1/websites/${shop.id}`)).status, 404);
  t.equal((await bob.patch(`/v1/websites/${shop.id}`, { aliases: [] })).status, 404);
  t.equal((await bob.del(`/v1/websites/${shop.id}`)).status, 404);
  t.equal((await asB.post(`/v1/websites/${shop.id}/suspend`, {})).status, 404);
  t.equal((await alice2.get(`/v1/websites/${shop.id}`)).status, 404, 'a sibling customer neither');
  t.equal((await asB.get('/v1/websites')).body.total, 0);
  t.equal((await asA.get('/v1/websites')).body.total, 2);
  t.equal((await tech.get('/v1/websites')).body.total, 0, 'a technical user sees only what it owns');
  t.equal((await admin.get('/v1/websites')).body.total, 2);
  const search = await asA.get('/v1/websites?search=SHOP.example');
  t.equal(search.body.total, 1);
  t.equal(search.body.items[0].id, shop.id);
  t.equal((await asA.get('/v1/websites?search=www.shop')).body.total, 1, 'aliases are searched');
  t.equal((await asA.get('/v1/websites?status=active')).body.total, 0);
  // A reseller creates a site for its customer, never for another reseller's.
  const subB = (await asB.get('/v1/subscriptions')).body.items.find((s: { customerId: string }) => s.customerId === customerB.id);
  const foreign = await asA.post('/v1/websites', { domain: 'foreign.example', kind: 'static', subscriptionId: subB.id });
  t.equal(foreign.status, 400);
  t.equal(foreign.body.error.code, 'WEBSITES_ERR_SUBSCRIPTION_INVALID');
  const forA2 = await asA.post('/v1/websites', { domain: 'a2.example', kind: 'static', subscriptionId: subA2.id });
  t.equal(forA2.status, 201);
  t.equal(forA2.body.ownerId, customerA2.id);
});

t.test('updates change aliases and settings, within limits', async (t) => {
  const res = await alice.patch(`/v1/websites/${shop.id}`, { aliases: ['shop.example.net'] });
  t.equal(res.status, 200, JSON.stringify(res.body));
  t.same(res.body.aliases, ['shop.example.net']);
  t.equal(res.body.converged, false);
  const over = await alice.patch(`/v1/websites/${shop.id}`, { aliases: ['a.example.net', 'b.example.net'] });
  t.equal(over.status, 409, 'domains limit');
  t.equal((await alice.patch(`/v1/websites/${shop.id}`, { phpVersion: '8.2' })).body.phpVersion, '8.2');
  t.equal((await alice.patch(`/v1/websites/${shop.id}`, {})).status, 400, 'an empty change is refused');
  const directives = await admin.patch(`/v1/websites/${shop.id}`, { extraDirectives: 'add_header X-Test yes;' });
  t.equal(directives.status, 200);
  t.equal(directives.body.extraDirectives, 'add_header X-Test yes;');
  const unbalanced = await admin.patch(`/v1/websites/${shop.id}`, { extraDirectives: '} server { listen 81;' });
  t.equal(unbalanced.status, 400);
});

t.test('a save names only what changed, in history and audit', async (t) => {
  const audits = async () =>
    (await sql('hostplane.audit_log').where({ action: 'websites.site.updated', target_id: shop.id }).orderBy('id')).map(
      (r: { details: Record<string, unknown> }) => r.details,
    );
  const before = (await audits()).length;
  const updates =
    (await alice.get(`/v1/websites/${shop.id}`)).body.history.filter((e: { step: string }) => e.step === 'update').length + 1;
  // What the panel's settings form sends: every field, one of them changed.
  const saved = await alice.patch(`/v1/websites/${shop.id}`, { aliases: ['shop.example.net'], phpVersion: '8.3' });
  t.equal(saved.status, 200, JSON.stringify(saved.body));
  const site = (await alice.get(`/v1/websites/${shop.id}`)).body;
  const lastUpdate = (h: Array<{ step: string; message: string }>) => h.find((e) => e.step === 'update')?.message;
  t.equal(lastUpdate(site.history), 'settings changed: phpVersion', 'history (newest first): the field that changed');
  const entries = await audits();
  t.same(entries.slice(before), [{ phpVersion: '8.3' }], 'audit: that field alone');

  const again = await alice.patch(`/v1/websites/${shop.id}`, { aliases: ['shop.example.net'], phpVersion: '8.3' });
  t.equal(again.status, 200);
  t.equal((await audits()).length, before + 1, 'a save without changes writes no entry');
  const history = (await alice.get(`/v1/websites/${shop.id}`)).body.history;
  t.equal(history.filter((e: { step: string }) => e.step === 'update').length, updates, 'nor a history line');
});

t.test('suspension: by the provider, and following the subscription', async (t) => {
  t.equal((await alice.post(`/v1/websites/${shop.id}/suspend`, {})).status, 403, 'customers cannot suspend');
  const byReseller = await asA.post(`/v1/websites/${shop.id}/suspend`, { reason: 'abuse report' });
  t.equal(byReseller.status, 200);
  t.same(byReseller.body.suspendedFor, ['admin']);
  // The subscription is suspended as well: two reasons.
  t.equal((await asA.post(`/v1/subscriptions/${subA.id}/suspend`, { reason: 'unpaid' })).status, 200);
  await eventually(async () => {
    const site = (await alice.get(`/v1/websites/${shop.id}`)).body;
    return site.suspendedFor.length === 2 ? site : undefined;
  });
  const lifted = await asA.post(`/v1/websites/${shop.id}/unsuspend`, {});
  t.same(lifted.body.suspendedFor, ['subscription'], 'the subscription reason stays');
  const again = await asA.post(`/v1/websites/${shop.id}/unsuspend`, {});
  t.equal(again.status, 403);
  t.equal(again.body.error.code, 'WEBSITES_ERR_SUSPENDED_BY_PROVIDER');
  t.equal((await asA.post(`/v1/subscriptions/${subA.id}/unsuspend`, {})).status, 200);
  const site = await eventually(async () => {
    const s = (await alice.get(`/v1/websites/${shop.id}`)).body;
    return s.suspendedFor.length === 0 ? s : undefined;
  });
  const steps = site.history.map((h: { step: string }) => h.step).filter((s: string) => s !== 'apply');
  t.same(steps.slice(0, 4), ['unsuspend', 'unsuspend', 'suspend', 'suspend'], 'each reason is a step');
  const audit = await sql('hostplane.audit_log').where({ target_id: shop.id }).orderBy('id');
  t.ok(audit.some((a: { action: string }) => a.action === 'websites.site.suspended'));
});

t.test('delete releases limits at once', async (t) => {
  const res = await alice.del(`/v1/websites/${shop.id}`);
  t.equal(res.status, 202);
  t.equal(res.body.status, 'deleting');
  t.equal((await alice.patch(`/v1/websites/${shop.id}`, { phpVersion: '8.3' })).status, 409, 'no changes while deleting');
  const next = await alice.post('/v1/websites', { domain: 'next.example', kind: 'static' });
  t.equal(next.status, 201, 'the freed slot is usable');
  t.equal(
    (await alice.post('/v1/websites', { domain: 'shop.example.com', kind: 'static' })).status,
    409,
    'its domains stay claimed until it is gone',
  );
});

t.test('Node.js sites get their own port and settings', async (t) => {
  const first = await bob.post('/v1/websites', { domain: 'app-one.example', kind: 'nodejs' });
  t.equal(first.status, 201, JSON.stringify(first.body));
  t.match(first.body.nodejs, { command: ['npm', 'start'], port: 20000, env: {} });
  t.equal(first.body.phpVersion, null);
  const second = await bob.post('/v1/websites', {
    domain: 'app-two.example',
    kind: 'nodejs',
    nodejs: { command: ['node', 'server.js'], env: { NODE_ENV: 'production' } },
  });
  t.match(second.body.nodejs, { command: ['node', 'server.js'], port: 20001, env: { NODE_ENV: 'production' } });
  const changed = await bob.patch(`/v1/websites/${second.body.id}`, { nodejs: { env: { NODE_ENV: 'staging' } } });
  t.match(changed.body.nodejs, { command: ['node', 'server.js'], port: 20001, env: { NODE_ENV: 'staging' } }, 'the port stays');
  const bad = await bob.post('/v1/websites', { domain: 'app-bad.example', kind: 'nodejs', nodejs: { env: { 'BAD-NAME': 'x' } } });
  t.equal(bad.status, 400);
  const newline = await bob.post('/v1/websites', {
    domain: 'app-nl.example',
    kind: 'nodejs',
    nodejs: { command: ['node', 'a\nb'] },
  });
  t.equal(newline.status, 400, 'no newlines in a command');
});

t.test('a suspension no event announced (made by another process) is caught by the next run', async (t) => {
  const site = (await alice2.get('/v1/websites')).body.items[0];
  t.ok(site, 'alice2 has a site');
  await sql('plugin_accounts.subscriptions').where({ id: subA2.id }).update({ status: 'suspended' });
  // Any run of the reconciler (a change anywhere, the start, the minute sweep) brings it in line.
  await alice2.patch(`/v1/websites/${site.id}`, { aliases: [] });
  const suspended = await eventually(async () => {
    const s = (await alice2.get(`/v1/websites/${site.id}`)).body;
    return s.suspendedFor.includes('subscription') ? s : undefined;
  });
  t.ok(
    suspended.history.some(
      (h: { step: string; message: string }) => h.step === 'suspend' && /found by the sweep/.test(h.message),
    ),
    'the history says how it was found',
  );
  await sql('plugin_accounts.subscriptions').where({ id: subA2.id }).update({ status: 'active' });
  await alice2.patch(`/v1/websites/${site.id}`, { aliases: [] });
  await eventually(async () => {
    const s = (await alice2.get(`/v1/websites/${site.id}`)).body;
    return s.suspendedFor.length === 0 ? s : undefined;
  });
});
