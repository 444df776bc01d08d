import t from 'tap';
import { definePlugin, type EventName } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from './helpers.js';

// Listens as the websites plugin will, to what a user suspension sends out.
const seen: Array<{ event: string; payload: Record<string, unknown> }> = [];
const EVENTS: EventName[] = ['user.suspended', 'user.unsuspended', 'subscription.suspended', 'subscription.unsuspended'];
const listener = definePlugin({
  id: 'listener',
  sdk: '^0.1.0',
  permissions: ['events:subscribe'],
  setup(ctx) {
    for (const event of EVENTS) ctx.on(event, (payload) => void seen.push({ event, payload: { ...payload } }));
  },
});

const host = await startTestHost({ plugins: [accounts, listener] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerA = await makeUser(sql, 'reseller', adminUser);
const resellerB = await makeUser(sql, 'reseller', adminUser);
const customerB = await makeUser(sql, 'customer', resellerB, { email: 'b-customer@example.test' });
const admin = caller(host, adminUser);
const a = caller(host, resellerA);
const b = caller(host, resellerB);

type UserOut = { id: string; email: string; name: string; role: string; status: string; createdAt: string };

t.test('1,000 users: search, filter, sort and pagination are exact', async (t) => {
  // One statement; names and statuses follow i so the expected answers can be computed here.
  await sql.raw(
    `insert into hostplane.users (email, name, role, parent_id, status, created_at)
     select 'user' || lpad(i::text, 4, '0') || '@bulk.test',
            case when i % 10 = 0 then 'Zed ' else 'Amy ' end || i,
            case when i % 4 = 0 then 'reseller' else 'customer' end,
            case when i % 4 = 0 then ?::uuid else ?::uuid end,
            case when i % 7 = 0 then 'suspended' else 'active' end,
            now() - make_interval(secs => 2000 - i)
       from generate_series(1, 1000) as i`,
    [adminUser.id, resellerA.id],
  );
  const all = Array.from({ length: 1000 }, (_, k) => k + 1);
  const underA = all.filter((i) => i % 4 !== 0);

  const page1 = await a.get('/v1/users?limit=100&page=1');
  t.equal(page1.status, 200);
  t.equal(page1.body.total, underA.length + 1, 'the reseller sees its 750 customers and itself');
  const page8 = await a.get('/v1/users?limit=100&page=8');
  t.equal(page8.body.items.length, 51);
  const page9 = await a.get('/v1/users?limit=100&page=9');
  t.same(page9.body.items, []);
  t.equal(page9.body.total, 751, 'the total does not depend on the page');

  const zed = await a.get('/v1/users?search=zed&limit=100');
  const zeds = underA.filter((i) => i % 10 === 0);
  t.equal(zed.body.total, zeds.length);
  t.ok(zed.body.items.every((u: UserOut) => u.name.startsWith('Zed')));
  const zedPages = [];
  for (let page = 1; page <= 4; page++) zedPages.push(await a.get(`/v1/users?search=zed&limit=20&page=${page}`));
  t.same(
    zedPages.map((p) => [p.body.items.length, p.body.total]),
    [
      [20, zeds.length],
      [20, zeds.length],
      [zeds.length - 40, zeds.length],
      [0, zeds.length],
    ],
    'a search pages through its matches, and the total holds past the last page',
  );
  t.same(
    zedPages.flatMap((p) => p.body.items.map((u: UserOut) => u.name)),
    zeds.map((i) => `Zed ${i}`),
    'in creation order, each once',
  );
  t.same((await a.get('/v1/users?search=nobody-has-this')).body, { items: [], total: 0, page: 1, limit: 20 });

  const byEmail = await a.get('/v1/users?search=USER012&limit=100');
  t.same(
    byEmail.body.items.map((u: UserOut) => u.email),
    underA.filter((i) => String(i).padStart(4, '0').startsWith('012')).map((i) => `user${String(i).padStart(4, '0')}@bulk.test`),
  );

  const pct = await a.get(`/v1/users?search=${encodeURIComponent('%')}`);
  t.equal(pct.body.total, 0, 'LIKE wildcards are matched literally');

  const suspended = await admin.get('/v1/users?status=suspended&role=customer&limit=100');
  t.equal(suspended.body.total, all.filter((i) => i % 7 === 0 && i % 4 !== 0).length);

  const resellers = await admin.get('/v1/users?role=reseller&limit=5&sort=email&order=desc');
  t.equal(resellers.body.total, 250 + 2);
  t.same(
    resellers.body.items.map((u: UserOut) => u.email),
    ['user1000@bulk.test', 'user0996@bulk.test', 'user0992@bulk.test', 'user0988@bulk.test', 'user0984@bulk.test'],
  );

  const newest = await a.get('/v1/users?sort=created_at&order=desc&limit=3&role=customer');
  t.same(
    newest.body.items.map((u: UserOut) => u.email),
    ['user0999@bulk.test', 'user0998@bulk.test', 'user0997@bulk.test'],
  );
  const byName = await a.get('/v1/users?sort=name&order=asc&limit=2&search=amy 1');
  t.same(
    byName.body.items.map((u: UserOut) => u.name),
    ['Amy 1', 'Amy 101'],
  );

  const b1 = await b.get('/v1/users?limit=100');
  t.same(
    b1.body.items.map((u: UserOut) => u.id).sort(),
    [resellerB.id, customerB.id].sort(),
    "reseller B sees none of A's users",
  );

  for (const bad of ['limit=0', 'limit=101', 'page=0', 'sort=password_hash', 'order=up', 'role=god', 'status=gone', 'extra=1']) {
    const res = await a.get(`/v1/users?${bad}`);
    t.equal(res.status, 400, bad);
    t.match(res.body.error.details[0].field, `/query/${bad.split('=')[0]}`);
  }
});

t.test('create: who may create whom', async (t) => {
  const customer = await a.post('/v1/users', { email: 'New.Customer@Example.test', name: 'New', role: 'customer' });
  t.equal(customer.status, 201, JSON.stringify(customer.body));
  t.match(customer.body, { email: 'new.customer@example.test', role: 'customer', parentId: resellerA.id, status: 'active' });

  t.equal((await a.post('/v1/users', { email: 'r2@example.test', role: 'reseller' })).status, 403);
  t.equal(
    (await a.post('/v1/users', { email: 'c2@example.test', role: 'customer', parentId: resellerB.id })).status,
    403,
    'not under another reseller',
  );
  const dup = await a.post('/v1/users', { email: 'new.customer@example.test', role: 'customer' });
  t.equal(dup.status, 409);
  t.equal(dup.body.error.code, 'USERS_ERR_EMAIL_TAKEN');
  const badBody = await a.post('/v1/users', { email: 'x@example.test', role: 'customer', admin: true });
  t.equal(badBody.status, 400);
  t.equal(badBody.body.error.details[0].field, '/body/admin');
  const shortPw = await a.post('/v1/users', { email: 'y@example.test', role: 'customer', password: 'short' });
  t.equal(shortPw.body.error.details[0].field, '/body/password');

  const customerCaller = caller(host, { id: customer.body.id, role: 'customer', email: customer.body.email });
  const tech = await customerCaller.post('/v1/users', { email: 'tech@example.test', role: 'technical_user' });
  t.equal(tech.status, 201);
  t.equal(tech.body.parentId, customer.body.id);
  t.equal((await customerCaller.post('/v1/users', { email: 'c3@example.test', role: 'customer' })).status, 403);

  const reseller = await admin.post('/v1/users', { email: 'reseller-new@example.test', role: 'reseller' });
  t.equal(reseller.status, 201);
  const audit = await sql('hostplane.audit_log').where({ action: 'accounts.user.created', target_id: reseller.body.id }).first();
  t.equal(audit?.actor_id, adminUser.id);
});

t.test("reseller A cannot see, change, suspend or delete reseller B's customers", async (t) => {
  const id = customerB.id;
  t.equal((await a.get(`/v1/users/${id}`)).status, 404);
  t.equal((await a.patch(`/v1/users/${id}`, { name: 'x' })).status, 404);
  t.equal((await a.post(`/v1/users/${id}/suspend`, { reason: 'x' })).status, 404);
  t.equal((await a.post(`/v1/users/${id}/unsuspend`)).status, 404);
  t.equal((await a.del(`/v1/users/${id}`)).status, 404);
  t.equal((await b.get(`/v1/users/${id}`)).status, 200);
  const row = await sql('hostplane.users').where({ id }).first();
  t.equal(row.status, 'active', 'nothing changed');
});

t.test('suspend takes the subscriptions along; unsuspend brings back only those', async (t) => {
  const wholesale = (await admin.post('/v1/packages', packageBody({ name: 'W', visibility: 'reseller_only' }))).body;
  await admin.post('/v1/subscriptions', { customerId: resellerB.id, packageId: wholesale.id, billingCycle: 'monthly' });
  const own = (await b.post('/v1/packages', packageBody({ name: 'B1' }))).body;
  const s1 = (await b.post('/v1/subscriptions', { customerId: customerB.id, packageId: own.id, billingCycle: 'monthly' })).body;
  const s2 = (await b.post('/v1/subscriptions', { customerId: customerB.id, packageId: own.id, billingCycle: 'monthly' })).body;
  await b.post(`/v1/subscriptions/${s2.id}/suspend`, { reason: 'abuse' });

  t.equal((await b.post(`/v1/users/${customerB.id}/suspend`, {})).status, 400, 'a reason is required');
  seen.length = 0;
  const res = await b.post(`/v1/users/${customerB.id}/suspend`, { reason: 'unpaid invoices' });
  t.equal(res.status, 200);
  t.equal(res.body.status, 'suspended');
  t.equal((await b.get(`/v1/subscriptions/${s1.id}`)).body.status, 'suspended');
  t.equal((await b.post(`/v1/users/${customerB.id}/suspend`, { reason: 'again' })).status, 409);
  t.equal((await b.post(`/v1/users/${resellerB.id}/suspend`, { reason: 'me' })).status, 409, 'not yourself');

  t.same(seen, [
    {
      event: 'subscription.suspended',
      payload: { subscriptionId: s1.id, customerId: customerB.id, reason: 'unpaid invoices', withUser: true },
    },
    { event: 'user.suspended', payload: { userId: customerB.id, reason: 'unpaid invoices', actorId: resellerB.id } },
  ]);
  t.match(await sql('plugin_accounts.subscriptions').where({ id: s1.id }).first(), {
    suspended_with_user: true,
    suspend_reason: 'unpaid invoices',
  });

  seen.length = 0;
  const back = await b.post(`/v1/users/${customerB.id}/unsuspend`);
  t.equal(back.body.status, 'active');
  t.equal((await b.get(`/v1/subscriptions/${s1.id}`)).body.status, 'active');
  t.equal((await b.get(`/v1/subscriptions/${s2.id}`)).body.status, 'suspended', 'suspended for its own reason');
  t.same(seen, [
    { event: 'subscription.unsuspended', payload: { subscriptionId: s1.id, customerId: customerB.id, withUser: true } },
    { event: 'user.unsuspended', payload: { userId: customerB.id, actorId: resellerB.id } },
  ]);
  const audit = await sql('hostplane.audit_log').where({ target_id: customerB.id }).orderBy('id').select('action', 'details');
  t.match(audit, [
    { action: 'accounts.user.suspended', details: { reason: 'unpaid invoices', subscriptions: [s1.id], via: 'api' } },
    { action: 'accounts.user.unsuspended', details: { subscriptions: [s1.id] } },
  ]);
});

t.test('delete is soft; an admin restores', async (t) => {
  const victim = await makeUser(sql, 'customer', resellerA);
  t.equal((await a.del(`/v1/users/${victim.id}`)).status, 204);
  const row = await sql('hostplane.users').where({ id: victim.id }).first();
  t.equal(row.status, 'deleted');
  t.ok(row.deleted_at, 'data kept, marked deleted');
  const listed = await a.get(`/v1/users?search=${encodeURIComponent(victim.email)}`);
  t.equal(listed.body.total, 0, 'not listed by default');
  const deleted = await a.get(`/v1/users?status=deleted&search=${encodeURIComponent(victim.email)}`);
  t.equal(deleted.body.total, 1);
  t.equal((await a.post(`/v1/users/${victim.id}/restore`)).status, 403, 'resellers cannot restore');
  const restored = await admin.post(`/v1/users/${victim.id}/restore`);
  t.equal(restored.status, 200);
  t.equal(restored.body.status, 'active');
  t.equal((await admin.post(`/v1/users/${victim.id}/restore`)).status, 409);

  const twin = await makeUser(sql, 'customer', resellerA);
  await a.del(`/v1/users/${twin.id}`);
  t.equal((await a.post('/v1/users', { email: twin.email, role: 'customer' })).status, 201, 'the address is free again');
  const clash = await admin.post(`/v1/users/${twin.id}/restore`);
  t.equal(clash.status, 409, 'restoring onto a taken address is refused');
  t.equal(clash.body.error.code, 'ACCOUNTS_ERR_USER_STATUS');
});
