import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, sqlOf } from './helpers.js';

const host = await startTestHost({ plugins: [accounts] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerA = await makeUser(sql, 'reseller', adminUser);
const resellerB = await makeUser(sql, 'reseller', adminUser);
const admin = caller(host, adminUser);
const a = caller(host, resellerA);
const b = caller(host, resellerB);

// Changes by A, by B and by the admin, each audited by the plugin.
const byA = (await a.post('/v1/users', { email: 'a1@example.test', role: 'customer' })).body;
const customerA = caller(host, { id: byA.id, role: 'customer', email: byA.email });
await customerA.post('/v1/users', { email: 'a1-tech@example.test', role: 'technical_user' });
await b.post('/v1/users', { email: 'b1@example.test', role: 'customer' });
await admin.post('/v1/users', { email: 'r3@example.test', role: 'reseller' });

type Entry = { id: string; actorId: string | null; action: string; target: { id: string } | null; at: string };

t.test('admins read every entry; resellers only those of their subtree', async (t) => {
  const all = await admin.get('/v1/audit?action=accounts.user.created');
  t.equal(all.status, 200);
  t.equal(all.body.items.length, 4);
  const mine = await a.get('/v1/audit');
  t.same(
    (mine.body.items as Entry[]).map((e) => e.actorId).sort(),
    [resellerA.id, byA.id].sort(),
    'its own and its customer’s actions, not B’s nor the admin’s',
  );
  const foreign = await a.get(`/v1/audit?actorId=${resellerB.id}`);
  t.same(foreign.body.items, [], 'filtering by a foreign actor finds nothing');
  t.equal((await customerA.get('/v1/audit')).status, 403, 'customers have no audit access');
});

t.test('filters and the cursor', async (t) => {
  const first = await admin.get('/v1/audit?limit=2');
  t.equal(first.body.items.length, 2);
  t.ok(first.body.nextBeforeId);
  const second = await admin.get(`/v1/audit?limit=2&beforeId=${first.body.nextBeforeId}`);
  const ids = [...first.body.items, ...second.body.items].map((e: Entry) => Number(e.id));
  t.same(
    ids,
    [...ids].sort((x, y) => y - x),
    'newest first, no overlap',
  );
  t.equal(new Set(ids).size, ids.length);
  const byActor = await admin.get(`/v1/audit?actorId=${resellerB.id}`);
  t.ok((byActor.body.items as Entry[]).every((e) => e.actorId === resellerB.id));
  t.equal(byActor.body.items.length, 1);
  const future = await admin.get(`/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
  t.same(future.body.items, []);
  const past = await admin.get(`/v1/audit?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}&limit=500`);
  t.ok(past.body.items.length >= 4);
  for (const bad of ['limit=0', 'since=yesterday', 'beforeId=abc', 'actorId=nope', 'foo=1']) {
    const res = await admin.get(`/v1/audit?${bad}`);
    t.equal(res.status, 400, bad);
    t.match(res.body.error.details[0].field, `/query/${bad.split('=')[0]}`);
  }
});

t.test('entries name people and things; filter by actor e-mail and by target', async (t) => {
  // An act of reseller A while impersonating its customer, as the host records it.
  await sql('hostplane.audit_log').insert({
    source: 'core',
    actor_id: byA.id,
    action: 'auth.impersonation.request',
    target_type: 'user',
    target_id: byA.id,
    details: JSON.stringify({ impersonatorId: resellerA.id, method: 'POST', url: '/v1/websites', status: 201 }),
  });
  const created = (await admin.get('/v1/audit?action=accounts.user.created&limit=10')).body.items as Array<
    Entry & { actor: { email: string } | null; target: { label: string | null } }
  >;
  const a1 = created.find((e) => e.target?.label === 'a1@example.test');
  t.ok(a1, 'a user target is labelled with its e-mail');
  t.match(a1, { actor: { id: resellerA.id, email: resellerA.email, name: String }, impersonator: null }, 'the actor by name');

  await sql('hostplane.audit_log').insert({
    source: 'auth',
    actor_id: resellerA.id,
    action: 'auth.impersonation.started',
    target_type: 'user',
    target_id: byA.id,
    details: JSON.stringify({ impersonatorId: resellerA.id, userId: byA.id }),
  });
  const started = (await admin.get('/v1/audit?action=auth.impersonation.started')).body.items[0];
  t.match(started, { actor: { id: resellerA.id }, impersonator: null }, 'the impersonator acting as itself is no "as"');
  const impersonated = (await admin.get('/v1/audit?action=auth.impersonation.request')).body.items[0];
  t.match(
    impersonated,
    { actor: { email: 'a1@example.test' }, impersonator: { id: resellerA.id, email: resellerA.email } },
    'an impersonated act names both: "reseller as customer"',
  );

  const byEmail = (await admin.get(`/v1/audit?actorEmail=${encodeURIComponent(resellerA.email.slice(0, 12).toUpperCase())}`)).body
    .items as Array<{ action: string; actorId: string }>;
  t.same(
    byEmail.map((e) => e.action).sort(),
    ['accounts.user.created', 'auth.impersonation.request', 'auth.impersonation.started'],
    'part of the actor’s e-mail, any case: its own acts and those it made as someone else',
  );
  const byTarget = (await admin.get('/v1/audit?target=a1-tech')).body.items as Array<{ target: { label: string } }>;
  t.same(
    byTarget.map((e) => e.target.label),
    ['a1-tech@example.test'],
    'the target by part of its e-mail',
  );
  const byTargetId = (await admin.get(`/v1/audit?target=${byA.id}`)).body.items as Entry[];
  t.ok(byTargetId.length >= 2 && byTargetId.every((e) => e.target?.id === byA.id), 'or by its id');
  t.same((await a.get(`/v1/audit?actorEmail=${encodeURIComponent(resellerB.email)}`)).body.items, [], 'tenancy still applies');
  t.equal((await admin.get('/v1/audit?actorEmail=')).status, 400, 'an empty filter is refused');
});
