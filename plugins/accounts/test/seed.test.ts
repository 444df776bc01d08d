import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, sqlOf, type TestUser } from './helpers.js';

const host = await startTestHost({ plugins: [accounts] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

type Kernel = {
  runCommand(id: string, name: string, args: string[], io: { out(s: string): void; err(s: string): void }): Promise<number>;
};
/** A demo user `hostplane seed` would have made (made by the first test here). */
async function demoUser(email: string): Promise<TestUser> {
  return (await sql('hostplane.users').where({ email }).first('id', 'role', 'email')) as TestUser;
}

async function seed(): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await (host.kernel as unknown as Kernel).runCommand('accounts', 'seed', [], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
  });
  return { code, out };
}

t.test('hostplane accounts seed creates packages and demo subscriptions, once', async (t) => {
  const admin = await makeUser(sql, 'super_admin');
  const reseller = await makeUser(sql, 'reseller', admin, { email: 'reseller@hostplane.test' });
  const alice = await makeUser(sql, 'customer', reseller, { email: 'alice@hostplane.test' });
  await makeUser(sql, 'customer', reseller, { email: 'bob@hostplane.test' });

  const first = await seed();
  t.equal(first.code, 0);
  t.same(first.out, [
    'package Starter: created',
    'package Pro: created',
    'package Business: created',
    'package Reseller: created',
    'subscription for reseller@hostplane.test: created (Reseller)',
    'subscription for alice@hostplane.test: created (Starter)',
    'subscription for bob@hostplane.test: created (Pro)',
  ]);
  const again = await seed();
  t.equal(again.code, 0);
  t.ok(
    again.out.every((l) => l.endsWith('exists')),
    again.out.join('\n'),
  );

  const packages = await caller(host, alice).get('/v1/packages');
  t.same(
    packages.body.items.map((p: { name: string; currency: string }) => `${p.name} ${p.currency}`),
    ['Starter EUR', 'Pro EUR', 'Business EUR'],
  );
  const subs = await caller(host, alice).get('/v1/subscriptions');
  t.equal(subs.body.total, 1);
  t.match(subs.body.items[0], { packageName: 'Starter', status: 'active' });
  const usage = await caller(host, alice).get(`/v1/subscriptions/${subs.body.items[0].id}/usage`);
  t.match(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'websites'),
    { used: 0, limit: 1 },
  );
});

t.test('the demo reseller has an allowance: it builds packages within it', async (t) => {
  const reseller = await demoUser('reseller@hostplane.test');
  const alice = await demoUser('alice@hostplane.test');
  const asReseller = caller(host, reseller);
  const created = await asReseller.post('/v1/packages', {
    name: 'Rita Basic',
    currency: 'EUR',
    prices: { monthly: 300 },
    limits: {
      websites: 2,
      disk_mb: null,
      bandwidth_gb: null,
      domains: null,
      databases: null,
      email_accounts: null,
      cron_jobs: null,
      backups: null,
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.equal(created.body.ownerId, reseller.id, 'owned by the reseller');
  const beyond = await asReseller.post('/v1/packages', {
    name: 'Too big',
    currency: 'EUR',
    prices: { monthly: 300 },
    limits: { websites: 101 },
  });
  t.equal(beyond.body.error.code, 'ACCOUNTS_ERR_EXCEEDS_OWN_PACKAGE', 'within the allowance only');
  const names = (await caller(host, alice).get('/v1/packages')).body.items.map((p: { name: string }) => p.name);
  t.notOk(names.includes('Reseller'), 'customers never see the reseller allowance');
});

t.test('GET /v1/provider names whom to ask for a package: the reseller above a customer', async (t) => {
  const alice = await demoUser('alice@hostplane.test');
  const tech = await makeUser(sql, 'technical_user', alice);
  for (const who of [alice, tech]) {
    const res = await caller(host, who).get('/v1/provider');
    t.equal(res.status, 200);
    t.match(res.body, { provider: { email: 'reseller@hostplane.test', role: 'reseller' } }, `${who.role}: the reseller`);
  }
  const reseller = await demoUser('reseller@hostplane.test');
  t.match(
    (await caller(host, reseller).get('/v1/provider')).body,
    { provider: { role: 'super_admin' } },
    'a reseller: its admin',
  );
});
