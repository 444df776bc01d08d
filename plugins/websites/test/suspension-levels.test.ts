// A provider suspension of a website is lifted only at its author's level or above: an author ×
// lifter table, an administrator taking over a reseller's suspension, and a subscription
// suspended by the platform whose sites the reseller cannot bring back either.
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { eventually } from './helpers.js';

const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, websites] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerUser = await makeUser(sql, 'reseller', adminUser);
const customerUser = await makeUser(sql, 'customer', resellerUser);
const callers = { admin: caller(host, adminUser), reseller: caller(host, resellerUser), customer: caller(host, customerUser) };
type Who = keyof typeof callers;

const wholesale = (await callers.admin.post('/v1/packages', packageBody({ name: 'Wholesale', visibility: 'reseller_only' })))
  .body;
await callers.admin.post('/v1/subscriptions', { customerId: resellerUser.id, packageId: wholesale.id, billingCycle: 'yearly' });
const retail = (await callers.reseller.post('/v1/packages', packageBody({ name: 'Retail' }))).body;
const sub = (
  await callers.reseller.post('/v1/subscriptions', { customerId: customerUser.id, packageId: retail.id, billingCycle: 'monthly' })
).body;
const site = (await callers.customer.post('/v1/websites', { domain: 'levels.example.com', kind: 'static' })).body;

const LEVEL: Record<Who, string> = { admin: 'platform', reseller: 'reseller', customer: 'customer' };

t.test('websites: author × lifter', async (t) => {
  const table: Array<[Who, Who, number]> = [
    ['admin', 'reseller', 403],
    ['admin', 'admin', 200],
    ['reseller', 'reseller', 200],
    ['reseller', 'admin', 200],
    ['reseller', 'customer', 403],
  ];
  for (const [author, lifter, expected] of table) {
    const suspended = await callers[author].post(`/v1/websites/${site.id}/suspend`, { reason: `by ${author}` });
    t.equal(suspended.status, 200);
    t.equal(suspended.body.suspendedBy, LEVEL[author], `${author} suspends: suspendedBy says so`);
    const res = await callers[lifter].post(`/v1/websites/${site.id}/unsuspend`, {});
    t.equal(res.status, expected, `${author} suspends, ${lifter} lifts: ${JSON.stringify(res.body)}`);
    if (expected === 403 && lifter === 'reseller') {
      t.equal(res.body.error.code, 'WEBSITES_ERR_SUSPENDED_ABOVE');
      t.match(res.body.error.message, /suspended by an administrator of the platform: only an administrator can lift/);
      t.same(res.body.error.details, { suspendedBy: 'platform' });
    }
    const after = (await callers.admin.get(`/v1/websites/${site.id}`)).body;
    t.same(after.suspendedFor, expected === 200 ? [] : ['admin']);
    if (expected === 200) t.equal(after.suspendedBy, null);
    else t.equal((await callers.admin.post(`/v1/websites/${site.id}/unsuspend`, {})).status, 200, 'an admin lifts anything');
  }
});

t.test("an administrator suspending a reseller's suspended site takes the suspension over", async (t) => {
  t.equal((await callers.reseller.post(`/v1/websites/${site.id}/suspend`, { reason: 'abuse' })).status, 200);
  const raised = await callers.admin.post(`/v1/websites/${site.id}/suspend`, { reason: 'legal' });
  t.equal(raised.body.suspendedBy, 'platform');
  const res = await callers.reseller.post(`/v1/websites/${site.id}/unsuspend`, {});
  t.equal(res.status, 403);
  t.equal(res.body.error.code, 'WEBSITES_ERR_SUSPENDED_ABOVE');
  const again = await callers.reseller.post(`/v1/websites/${site.id}/suspend`, {});
  t.equal(again.body.suspendedBy, 'platform', 'a reseller suspending again does not lower it');
  t.equal((await callers.admin.post(`/v1/websites/${site.id}/unsuspend`, {})).status, 200);
});

t.test('a subscription suspended by the platform: the reseller brings back neither it nor its sites', async (t) => {
  t.equal((await callers.admin.post(`/v1/subscriptions/${sub.id}/suspend`, { reason: 'fraud' })).status, 200);
  await eventually(async () => {
    const s = (await callers.reseller.get(`/v1/websites/${site.id}`)).body;
    return s.suspendedFor.includes('subscription') ? s : undefined;
  });
  const siteLift = await callers.reseller.post(`/v1/websites/${site.id}/unsuspend`, {});
  t.equal(siteLift.status, 403);
  t.equal(siteLift.body.error.code, 'WEBSITES_ERR_SUSPENDED_BY_PROVIDER');
  const subLift = await callers.reseller.post(`/v1/subscriptions/${sub.id}/unsuspend`, {});
  t.equal(subLift.status, 403);
  t.equal(subLift.body.error.code, 'ACCOUNTS_ERR_SUSPENDED_ABOVE');
  t.equal((await callers.admin.post(`/v1/subscriptions/${sub.id}/unsuspend`, {})).status, 200);
  await eventually(async () => {
    const s = (await callers.reseller.get(`/v1/websites/${site.id}`)).body;
    return s.suspendedFor.length === 0 ? s : undefined;
  });
});

t.test("this change's migrations go down and up again, keeping an earlier suspension", async (t) => {
  t.equal((await callers.reseller.post(`/v1/websites/${site.id}/suspend`, { reason: 'before' })).status, 200);
  const directory = new URL('../migrations/', import.meta.url);
  const migrate = (action: 'down' | 'up') => migratePlugin(sql, { pluginId: 'websites', directory, action });
  const columns = async () =>
    (
      await sql('information_schema.columns')
        .where({ table_schema: 'plugin_websites', table_name: 'websites' })
        .whereIn('column_name', ['suspended_by', 'suspended_by_level'])
        .orderBy('column_name')
        .select('column_name')
    ).map((r: { column_name: string }) => r.column_name);
  const prefixIndex = async () =>
    (await sql('pg_indexes').where({ schemaname: 'plugin_websites', indexname: 'websites_name_prefix_idx' })).length;
  const throttles = async () =>
    (await sql('information_schema.tables').where({ table_schema: 'plugin_websites', table_name: 'subscription_throttles' }))
      .length;
  t.same(await migrate('down'), ['20261206000000_subscription_throttles']);
  t.equal(await throttles(), 0);
  t.same(await migrate('down'), ['20261205000001_name_prefix_index']);
  t.equal(await prefixIndex(), 0);
  t.same(await migrate('down'), ['20261205000000_suspension_levels']);
  t.same(await columns(), []);
  t.same(await migrate('up'), ['20261205000000_suspension_levels']);
  t.same(await columns(), ['suspended_by', 'suspended_by_level']);
  t.same(await migrate('up'), ['20261205000001_name_prefix_index']);
  t.equal(await prefixIndex(), 1);
  t.same(await migrate('up'), ['20261206000000_subscription_throttles']);
  t.equal(await throttles(), 1);
  const row = await sql('plugin_websites.websites').where({ id: site.id }).first('suspended_by_level');
  t.equal(row.suspended_by_level, 'reseller', 'the level comes back from the audit log');
});
