/**
 * website.created → the site's zone from the template, for the site's owner, only when the
 * customer may own it: not when another account's zone covers or sits under the name, not when
 * the owner's own zone already answers for it.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import dns from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, websites, dns],
  config: { dns: { allowReservedTlds: true, serverIpv4: '192.0.2.80' } },
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, customerA, customerB } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { websites: 100, domains: 100 } }))).body;
const subscription = (
  await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' })
).body.id as string;
const tag = `${process.pid}`;

async function website(domain: string): Promise<void> {
  const res = await caller(host, customerA).post('/v1/websites', { domain, kind: 'static', subscriptionId: subscription });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  await host.drainJobs();
}
async function zonesOf(user: typeof customerA): Promise<Array<{ name: string; ownerId: string; records?: unknown[] }>> {
  return (await caller(host, user).get('/v1/dns/zones?limit=100')).body.items;
}

t.test('a new website gets its zone from the template, owned by the site owner', async (t) => {
  await website(`www.shop-${tag}.test`);
  const zone = (await zonesOf(customerA)).find((z) => z.name === `shop-${tag}.test`);
  t.ok(zone, 'zone named after the domain without www');
  t.equal(zone?.ownerId, customerA.id);
  const full = (await caller(host, customerA).get(`/v1/dns/zones/${(zone as { id?: string }).id}`)).body;
  t.ok(
    full.records.some((r: { type: string; data: string }) => r.type === 'A' && r.data === '192.0.2.80'),
    'A to the server address',
  );
  t.ok(full.records.some((r: { name: string; type: string }) => r.name === `www.shop-${tag}.test` && r.type === 'CNAME'));
});

t.test('no zone when another account’s zone covers the domain, or sits below it', async (t) => {
  const asB = caller(host, customerB);
  t.equal((await asB.post('/v1/dns/zones', { name: `theirs-${tag}.test`, template: false })).status, 201);
  t.equal((await asB.post('/v1/dns/zones', { name: `deep.below-${tag}.test`, template: false })).status, 201);
  await website(`blog.theirs-${tag}.test`);
  await website(`below-${tag}.test`);
  const names = (await zonesOf(admin)).map((z) => z.name);
  t.notOk(names.includes(`blog.theirs-${tag}.test`));
  t.notOk(names.includes(`below-${tag}.test`));
  t.same(
    (await zonesOf(customerA)).map((z) => z.name),
    [`shop-${tag}.test`],
    'customer A got no zone for names others hold',
  );
});

t.test('no second zone when the owner’s own zone already answers for the name', async (t) => {
  await website(`blog.shop-${tag}.test`);
  t.same(
    (await zonesOf(customerA)).map((z) => z.name),
    [`shop-${tag}.test`],
  );
});
