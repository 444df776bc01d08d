import t from 'tap';
import { coreServices, definePlugin, type EventName } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from './helpers.js';

// Records what the accounts plugin emits, and takes usage through the limits service as any
// resource-creating plugin would.
const seen: Array<{ event: string; payload: Record<string, unknown> }> = [];
const EVENTS: EventName[] = [
  'subscription.created',
  'subscription.suspended',
  'subscription.unsuspended',
  'subscription.cancelled',
  'subscription.terminated',
  'subscription.package_changed',
];
let limits: { assert(id: string, resource: string, delta: number): Promise<unknown> } | undefined;
const probe = definePlugin({
  id: 'probe',
  sdk: '^0.1.0',
  permissions: ['events:subscribe', 'limits'],
  limits: ['websites'],
  deps: { limits: coreServices.limits },
  setup(ctx) {
    limits = ctx.deps.limits;
    for (const event of EVENTS)
      ctx.on(event, (payload) => {
        seen.push({ event, payload: payload as Record<string, unknown> });
      });
  },
});

const host = await startTestHost({ plugins: [accounts, probe] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerUser = await makeUser(sql, 'reseller', adminUser);
const otherResellerUser = await makeUser(sql, 'reseller', adminUser);
const customerUser = await makeUser(sql, 'customer', resellerUser);
const techUser = await makeUser(sql, 'technical_user', customerUser);
const foreignCustomerUser = await makeUser(sql, 'customer', otherResellerUser);
const admin = caller(host, adminUser);
const reseller = caller(host, resellerUser);
const otherReseller = caller(host, otherResellerUser);
const customer = caller(host, customerUser);
const tech = caller(host, techUser);

const wholesale = (
  await admin.post(
    '/v1/packages',
    packageBody({ name: 'Wholesale', visibility: 'reseller_only', limits: { websites: 100, disk_mb: 10_000 } }),
  )
).body;
await admin.post('/v1/subscriptions', { customerId: resellerUser.id, packageId: wholesale.id, billingCycle: 'yearly' });
await admin.post('/v1/subscriptions', { customerId: otherResellerUser.id, packageId: wholesale.id, billingCycle: 'yearly' });
const small = (await reseller.post('/v1/packages', packageBody({ name: 'Small', limits: { websites: 2 } }))).body;
const big = (await reseller.post('/v1/packages', packageBody({ name: 'Big', limits: { websites: 10, disk_mb: 5000 } }))).body;
const tiny = (await reseller.post('/v1/packages', packageBody({ name: 'Tiny', limits: { websites: 1 } }))).body;

t.test('a reseller assigns its package to its customer; limits follow at once', async (t) => {
  const res = await reseller.post('/v1/subscriptions', {
    customerId: customerUser.id,
    packageId: small.id,
    billingCycle: 'monthly',
  });
  t.equal(res.status, 201, JSON.stringify(res.body));
  t.match(res.body, { customerId: customerUser.id, packageId: small.id, packageName: 'Small', status: 'active' });
  t.match(res.body.nextDueDate, /^\d{4}-\d{2}-\d{2}$/);
  const usage = await customer.get(`/v1/subscriptions/${res.body.id}/usage`);
  t.equal(usage.status, 200);
  t.same(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'websites'),
    {
      resource: 'websites',
      used: 0,
      limit: 2,
      enforced: true,
    },
  );
  t.equal(usage.body.resources.length, 9, 'every package resource is listed');
  t.same(usage.body.enforced, ['websites'], 'the limits a started plugin enforces are named');
  t.match(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'disk_mb'),
    { enforced: false },
    'a limit nothing enforces says so',
  );
  t.ok(seen.some((e) => e.event === 'subscription.created' && e.payload.subscriptionId === res.body.id));
});

t.test('validation and refusals on create', async (t) => {
  const bad = await reseller.post('/v1/subscriptions', {
    customerId: customerUser.id,
    packageId: small.id,
    billingCycle: 'weekly',
  });
  t.equal(bad.status, 400);
  t.equal(bad.body.error.details[0].field, '/body/billingCycle');
  const missing = await reseller.post('/v1/subscriptions', { packageId: small.id, billingCycle: 'monthly' });
  t.equal(missing.status, 400);
  t.equal(missing.body.error.details[0].field, '/body/customerId');
  const foreign = await reseller.post('/v1/subscriptions', {
    customerId: foreignCustomerUser.id,
    packageId: small.id,
    billingCycle: 'monthly',
  });
  t.equal(foreign.status, 400);
  t.equal(foreign.body.error.code, 'ACCOUNTS_ERR_CUSTOMER_INVALID');
  const notTheirs = await otherReseller.post('/v1/subscriptions', {
    customerId: foreignCustomerUser.id,
    packageId: small.id,
    billingCycle: 'monthly',
  });
  t.equal(notTheirs.status, 404, "another reseller's package is not found");
  const techSub = await reseller.post('/v1/subscriptions', {
    customerId: techUser.id,
    packageId: small.id,
    billingCycle: 'monthly',
  });
  t.equal(techSub.status, 400, 'technical users hold no subscriptions');
});

t.test("a platform package offered to a reseller's customer: the refusal says whose it is and what to do", async (t) => {
  const starter = (await admin.post('/v1/packages', packageBody({ name: 'Starter' }))).body;
  const res = await reseller.post('/v1/subscriptions', {
    customerId: customerUser.id,
    packageId: starter.id,
    billingCycle: 'monthly',
  });
  t.equal(res.status, 403);
  t.equal(res.body.error.code, 'ACCOUNTS_ERR_PACKAGE_NOT_OWNED');
  t.match(res.body.error.message, /"Starter" belongs to the platform/);
  t.match(res.body.error.message, /only packages you created/);
  t.match(res.body.error.message, /Create a package of your own/);
  t.notMatch(res.body.error.message, /may change it/, 'not the old words about changing a package');
  t.match(res.body.error.details, { packageId: starter.id, owner: 'platform', hint: 'POST /v1/packages' });
});

t.test('reads are scoped: a reseller its customers, a customer (and its technical users) its own', async (t) => {
  const mine = await reseller.get('/v1/subscriptions');
  t.equal(mine.status, 200);
  t.ok(mine.body.items.every((s: { customerId: string }) => [customerUser.id, resellerUser.id].includes(s.customerId)));
  const own = await customer.get('/v1/subscriptions');
  t.equal(own.body.total, 1);
  const techOwn = await tech.get('/v1/subscriptions');
  t.equal(techOwn.body.total, 1, 'a technical user sees its customer’s subscriptions');
  const id = own.body.items[0].id as string;
  t.equal((await otherReseller.get(`/v1/subscriptions/${id}`)).status, 404);
  t.equal((await otherReseller.post(`/v1/subscriptions/${id}/suspend`, { reason: 'x' })).status, 404);
  t.equal((await customer.post(`/v1/subscriptions/${id}/suspend`)).status, 403, 'customers cannot manage');
  const all = await admin.get('/v1/subscriptions?status=active&limit=1');
  t.equal(all.body.total, 3);
  t.equal(all.body.items.length, 1);
});

t.test('actions walk the status machine and emit their events', async (t) => {
  const sub = (
    await reseller.post('/v1/subscriptions', { customerId: customerUser.id, packageId: small.id, billingCycle: 'quarterly' })
  ).body;
  const suspended = await reseller.post(`/v1/subscriptions/${sub.id}/suspend`, { reason: 'unpaid' });
  t.equal(suspended.status, 200);
  t.match(suspended.body, { status: 'suspended', suspendReason: 'unpaid' });
  const again = await reseller.post(`/v1/subscriptions/${sub.id}/suspend`);
  t.equal(again.status, 409);
  // The customer is told, once, in its reseller's name (decision 0062); the refused second suspend mails nothing.
  const mails = await sql('hostplane.outbox').where({ tag: 'accounts.subscription-suspended', to_address: customerUser.email });
  t.equal(mails.length, 1, 'one mail');
  const { name: resellerName } = await sql('hostplane.users').where({ id: resellerUser.id }).first('name');
  t.match(mails[0], { subject: `Your ${small.name} subscription has been suspended`, from_name: resellerName });
  t.match(mails[0].text_body, /Reason: unpaid/);
  t.equal(again.body.error.code, 'ACCOUNTS_ERR_TRANSITION_REFUSED');
  const noBody = await host.inject({
    method: 'POST',
    url: `/v1/subscriptions/${sub.id}/unsuspend`,
    headers: host.headersFor('reseller', { userId: resellerUser.id }),
  });
  t.equal(noBody.statusCode, 200, noBody.body);
  t.equal((await reseller.post(`/v1/subscriptions/${sub.id}/cancel`)).body.status, 'cancelled');
  t.equal((await reseller.post(`/v1/subscriptions/${sub.id}/unsuspend`)).status, 409);
  t.equal((await reseller.post(`/v1/subscriptions/${sub.id}/terminate`)).body.status, 'terminated');
  t.equal((await reseller.post(`/v1/subscriptions/${sub.id}/terminate`)).status, 409);
  const events = seen.filter((e) => e.payload.subscriptionId === sub.id).map((e) => e.event);
  t.same(events, [
    'subscription.created',
    'subscription.suspended',
    'subscription.unsuspended',
    'subscription.cancelled',
    'subscription.terminated',
  ]);
  const audit = await sql('hostplane.audit_log').where({ target_id: sub.id }).orderBy('id').pluck('action');
  t.same(audit, [
    'accounts.subscription.created',
    'accounts.subscription.suspended',
    'accounts.subscription.unsuspended',
    'accounts.subscription.cancelled',
    'accounts.subscription.terminated',
  ]);
});

t.test('a package change is refused when current usage exceeds the new limits', async (t) => {
  const sub = (
    await reseller.post('/v1/subscriptions', { customerId: customerUser.id, packageId: small.id, billingCycle: 'monthly' })
  ).body;
  await limits!.assert(sub.id, 'websites', 2);
  const full = await limits!.assert(sub.id, 'websites', 1).catch((e: { code: string }) => e.code);
  t.equal(full, 'LIMITS_ERR_EXCEEDED', 'the package limit holds');

  const down = await reseller.post(`/v1/subscriptions/${sub.id}/change-package`, { packageId: tiny.id });
  t.equal(down.status, 409);
  t.equal(down.body.error.code, 'ACCOUNTS_ERR_USAGE_EXCEEDS_PACKAGE');
  t.same(down.body.error.details.resources, ['websites']);

  const up = await reseller.post(`/v1/subscriptions/${sub.id}/change-package`, { packageId: big.id });
  t.equal(up.status, 200, JSON.stringify(up.body));
  t.equal(up.body.packageId, big.id);
  const usage = await reseller.get(`/v1/subscriptions/${sub.id}/usage`);
  t.match(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'websites'),
    { used: 2, limit: 10 },
  );
  t.match(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'disk_mb'),
    { limit: 5000 },
  );
  await limits!.assert(sub.id, 'websites', 8);
  t.ok(seen.some((e) => e.event === 'subscription.package_changed' && e.payload.toPackageId === big.id));
});

t.test('limits set through the API hold under concurrency: 20 parallel creates, limit 5', async (t) => {
  const five = (await reseller.post('/v1/packages', packageBody({ name: 'Five', limits: { websites: 5 } }))).body;
  const sub = (
    await reseller.post('/v1/subscriptions', { customerId: customerUser.id, packageId: five.id, billingCycle: 'monthly' })
  ).body;
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => limits!.assert(sub.id, 'websites', 1)));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
  const usage = await reseller.get(`/v1/subscriptions/${sub.id}/usage`);
  t.match(
    usage.body.resources.find((r: { resource: string }) => r.resource === 'websites'),
    { used: 5, limit: 5 },
  );

  const raised = await reseller.patch(`/v1/packages/${five.id}`, { limits: { websites: 6 } });
  t.equal(raised.status, 200);
  await limits!.assert(sub.id, 'websites', 1);
  const after = await reseller.get(`/v1/subscriptions/${sub.id}/usage`);
  t.match(
    after.body.resources.find((r: { resource: string }) => r.resource === 'websites'),
    { used: 6, limit: 6 },
    'a package change reaches its subscriptions',
  );
});
