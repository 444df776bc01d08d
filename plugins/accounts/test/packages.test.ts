import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from './helpers.js';

const host = await startTestHost({ plugins: [accounts] });
const sql = sqlOf(host);
t.teardown(async () => {
  for (const l of host.logs()) if (Number(l.level) >= 50) console.error(JSON.stringify(l).slice(0, 1500));
  await sql.destroy();
  await host.close();
});

const adminUser = await makeUser(sql, 'super_admin');
const resellerUser = await makeUser(sql, 'reseller', adminUser);
const otherResellerUser = await makeUser(sql, 'reseller', adminUser);
const customerUser = await makeUser(sql, 'customer', resellerUser);
const admin = caller(host, adminUser);
const reseller = caller(host, resellerUser);
const otherReseller = caller(host, otherResellerUser);
const customer = caller(host, customerUser);

t.test('the plugin starts', async (t) => {
  t.equal(host.kernel.plugin('accounts')?.state, 'started', JSON.stringify(host.kernel.plugin('accounts')?.error));
});

t.test('an admin creates, reads, updates a platform package', async (t) => {
  const created = await admin.post('/v1/packages', packageBody({ name: 'Starter' }));
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.match(created.body, {
    name: 'Starter',
    ownerId: null,
    visibility: 'public',
    prices: { monthly: 500 },
    limits: { websites: 2 },
    features: { ssh: true, git_deploy: false, php_versions: ['8.2', '8.3'] },
    archived: false,
  });
  const id = created.body.id as string;
  const got = await customer.get(`/v1/packages/${id}`);
  t.equal(got.status, 200, 'customers see public platform packages');
  const patched = await admin.patch(`/v1/packages/${id}`, { description: 'Small sites', limits: { websites: null } });
  t.equal(patched.status, 200);
  t.equal(patched.body.description, 'Small sites');
  t.equal(patched.body.limits.websites, null, 'null = unlimited');
  t.equal(patched.body.limits.disk_mb, 1000, 'other limits kept');
});

t.test('bad input is refused with the field named', async (t) => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...packageBody(), currency: 'eur' }, '/body/currency'],
    [{ ...packageBody(), prices: { monthly: -1 } }, '/body/prices/monthly'],
    [{ ...packageBody(), prices: { monthly: 1.5 } }, '/body/prices/monthly'],
    [{ ...packageBody(), limits: { websites: -1 } }, '/body/limits/websites'],
    [{ ...packageBody(), limits: { planets: 1 } }, '/body/limits/planets'],
    [{ ...packageBody(), visibility: 'secret' }, '/body/visibility'],
    [{ ...packageBody(), name: '' }, '/body/name'],
    [{ ...packageBody(), extra: true }, '/body/extra'],
  ];
  for (const [body, field] of cases) {
    const res = await admin.post('/v1/packages', body);
    t.equal(res.status, 400, field);
    t.ok(
      (res.body.error.details as Array<{ field: string }>).some((d) => d.field === field),
      `${field} named in ${JSON.stringify(res.body.error.details)}`,
    );
  }
  const badId = await admin.get('/v1/packages/not-a-uuid');
  t.equal(badId.status, 400);
  const missing = await admin.get('/v1/packages/00000000-0000-4000-8000-000000000000');
  t.equal(missing.status, 404);
  t.equal(missing.body.error.code, 'ACCOUNTS_ERR_PACKAGE_NOT_FOUND');
});

t.test('resellers build packages only within the package they subscribe to', async (t) => {
  const none = await reseller.post('/v1/packages', packageBody({ name: 'R1' }));
  t.equal(none.status, 409);
  t.equal(none.body.error.code, 'ACCOUNTS_ERR_NO_OWN_PACKAGE');

  const wholesale = await admin.post(
    '/v1/packages',
    packageBody({ name: 'Wholesale', visibility: 'reseller_only', limits: { ...packageBody().limits, websites: 50 } }),
  );
  const sub = await admin.post('/v1/subscriptions', {
    customerId: resellerUser.id,
    packageId: wholesale.body.id,
    billingCycle: 'monthly',
  });
  t.equal(sub.status, 201, JSON.stringify(sub.body));

  const within = await reseller.post('/v1/packages', packageBody({ name: 'R-Basic', limits: { websites: 10 } }));
  t.equal(within.status, 201, JSON.stringify(within.body));
  t.equal(within.body.ownerId, resellerUser.id);

  const beyond = await reseller.post(
    '/v1/packages',
    packageBody({ name: 'R-Huge', limits: { websites: 51, disk_mb: null }, features: { waf: true } }),
  );
  t.equal(beyond.status, 409);
  t.equal(beyond.body.error.code, 'ACCOUNTS_ERR_EXCEEDS_OWN_PACKAGE');
  t.same(beyond.body.error.details.fields, ['limits.disk_mb', 'limits.websites', 'features.waf']);

  const notMine = await otherReseller.patch(`/v1/packages/${within.body.id}`, { name: 'Stolen' });
  t.equal(notMine.status, 404, "another reseller's package does not exist for you");
  const platform = await reseller.patch(`/v1/packages/${wholesale.body.id}`, { name: 'Mine' });
  t.equal(platform.status, 403, 'a visible platform package is not the reseller’s to change');
  t.equal(platform.body.error.code, 'ACCOUNTS_ERR_PACKAGE_NOT_OWNED');
  t.match(platform.body.error.message, /belongs to the platform, so you cannot change it/);
  const forSomeoneElse = await reseller.post('/v1/packages', packageBody({ name: 'X', ownerId: otherResellerUser.id }));
  t.equal(forSomeoneElse.status, 403);
  t.match(forSomeoneElse.body.error, { message: /always yours/, details: { field: '/body/ownerId' } });
});

t.test('visibility: who sees which packages', async (t) => {
  const hidden = await admin.post('/v1/packages', packageBody({ name: 'Hidden', visibility: 'hidden' }));
  t.equal((await customer.get(`/v1/packages/${hidden.body.id}`)).status, 404);
  t.equal((await reseller.get(`/v1/packages/${hidden.body.id}`)).status, 404);
  t.equal((await admin.get(`/v1/packages/${hidden.body.id}`)).status, 200);

  const names = async (c: typeof admin) =>
    ((await c.get('/v1/packages?limit=100')).body.items as Array<{ name: string }>).map((p) => p.name).sort();
  t.same(await names(customer), ['R-Basic', 'Starter'], 'platform public + own reseller public');
  t.same(await names(otherReseller), ['Starter', 'Wholesale'], 'platform public and reseller_only');
  t.same(await names(admin), ['Hidden', 'R-Basic', 'Starter', 'Wholesale']);

  const filtered = await admin.get('/v1/packages?visibility=reseller_only');
  t.same(
    filtered.body.items.map((p: { name: string }) => p.name),
    ['Wholesale'],
  );
  const byOwner = await admin.get(`/v1/packages?ownerId=${resellerUser.id}`);
  t.same(
    byOwner.body.items.map((p: { name: string }) => p.name),
    ['R-Basic'],
  );
  const platformOnly = await admin.get('/v1/packages?ownerId=platform&search=STAR');
  t.same(
    platformOnly.body.items.map((p: { name: string }) => p.name),
    ['Starter'],
  );
  const paged = await admin.get('/v1/packages?limit=2&page=2');
  t.equal(paged.body.total, 4);
  t.equal(paged.body.items.length, 2);
});

t.test('a used package is archived instead of deleted', async (t) => {
  const unused = await admin.post('/v1/packages', packageBody({ name: 'Temp' }));
  t.equal((await admin.del(`/v1/packages/${unused.body.id}`)).status, 204);
  t.equal((await admin.get(`/v1/packages/${unused.body.id}`)).status, 404);

  const used = await admin.post('/v1/packages', packageBody({ name: 'Used' }));
  const sub = await admin.post('/v1/subscriptions', {
    customerId: customerUser.id,
    packageId: used.body.id,
    billingCycle: 'yearly',
  });
  t.equal(sub.status, 201);
  const refused = await admin.del(`/v1/packages/${used.body.id}`);
  t.equal(refused.status, 409);
  t.equal(refused.body.error.code, 'ACCOUNTS_ERR_PACKAGE_IN_USE');
  t.match(refused.body.error.details.hint, `/v1/packages/${used.body.id}/archive`);

  const archived = await admin.post(`/v1/packages/${used.body.id}/archive`);
  t.equal(archived.status, 200);
  t.equal(archived.body.archived, true);
  const listed = await admin.get('/v1/packages?archived=true');
  t.same(
    listed.body.items.map((p: { name: string }) => p.name),
    ['Used'],
  );
  const assign = await admin.post('/v1/subscriptions', {
    customerId: customerUser.id,
    packageId: used.body.id,
    billingCycle: 'yearly',
  });
  t.equal(assign.status, 409);
  t.equal(assign.body.error.code, 'ACCOUNTS_ERR_PACKAGE_ARCHIVED');

  const audit = await sql('hostplane.audit_log').where({ action: 'accounts.package.archived' }).first();
  t.equal(audit?.target_id, used.body.id, 'changes are audited');
});

t.test('an explicit 0 is nothing, not unlimited; null is unlimited; prices of 0 stay 0', async (t) => {
  // JSON Schema coercion once read 0 as null for a `null | integer` field: `databases: 0`
  // became unlimited databases. Reported by the metering work.
  const body = packageBody({ name: 'Zeroes' });
  const created = await admin.post('/v1/packages', {
    ...body,
    limits: { ...body.limits, databases: 0, websites: null },
    features: { ...body.features, php_memory_mb: null },
    prices: { ...body.prices, monthly: 0 },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  t.equal(created.body.limits.databases, 0, 'databases: 0 stays 0');
  t.equal(created.body.limits.websites, null, 'websites: null is unlimited');
  t.equal(created.body.prices.monthly, 0);
  const id = created.body.id as string;
  const patched = await admin.patch(`/v1/packages/${id}`, { limits: { websites: 0, databases: null } });
  t.equal(patched.status, 200, JSON.stringify(patched.body));
  t.equal(patched.body.limits.websites, 0, 'patched to 0 stays 0');
  t.equal(patched.body.limits.databases, null);
  t.equal((await admin.get(`/v1/packages/${id}`)).body.limits.websites, 0, 'and is stored as 0');
  const bad = await admin.post('/v1/packages', { ...body, name: 'Falsy', limits: { ...body.limits, websites: false } });
  t.equal(bad.status, 400, 'false is not a limit');
  const empty = await admin.post('/v1/packages', { ...body, name: 'Empty', limits: { ...body.limits, websites: '' } });
  t.equal(empty.status, 400, 'an empty string is not a limit');
});

t.test('backup schedule, retention and storage: set, refused when malformed, capped for resellers', async (t) => {
  const features = {
    backups: true,
    backup_frequency: 'weekly',
    backup_weekday: 3,
    backup_window_from: 22,
    backup_window_to: 4,
    backup_keep_daily: 0,
    backup_keep_weekly: 4,
    backup_keep_monthly: 2,
  };
  const weekly = await admin.post(
    '/v1/packages',
    packageBody({
      name: 'Weekly wholesale',
      visibility: 'reseller_only',
      limits: { ...packageBody().limits, websites: 50, backup_storage_mb: 2048 },
      features,
    }),
  );
  t.equal(weekly.status, 201, JSON.stringify(weekly.body));
  t.match(weekly.body.features, features);
  t.equal(weekly.body.limits.backup_storage_mb, 2048);
  const cleared = await admin.patch(`/v1/packages/${weekly.body.id}`, { features: { backup_window_to: null } });
  t.equal(cleared.body.features.backup_window_to, null, 'null: the backups plugin’s default');
  t.equal(cleared.body.features.backup_window_from, 22, 'the other fields are kept');
  await admin.patch(`/v1/packages/${weekly.body.id}`, { features: { backup_window_to: 4 } });

  for (const [bad, field] of [
    [{ backup_frequency: 'hourly' }, '/body/features/backup_frequency'],
    [{ backup_window_from: 24 }, '/body/features/backup_window_from'],
    [{ backup_weekday: 7 }, '/body/features/backup_weekday'],
    [{ backup_keep_daily: -1 }, '/body/features/backup_keep_daily'],
    [{ backup_keep_monthly: 'x\u0000' }, '/body/features/backup_keep_monthly'],
  ] as const) {
    const res = await admin.patch(`/v1/packages/${weekly.body.id}`, { features: bad });
    t.equal(res.status, 400, JSON.stringify(bad));
    t.ok(
      (res.body.error.details as Array<{ field: string }>).some((d) => d.field === field),
      field,
    );
  }

  const seller = await makeUser(sql, 'reseller', adminUser);
  const sub = await admin.post('/v1/subscriptions', {
    customerId: seller.id,
    packageId: weekly.body.id,
    billingCycle: 'monthly',
  });
  t.equal(sub.status, 201, JSON.stringify(sub.body));
  const within = await caller(host, seller).post(
    '/v1/packages',
    packageBody({
      name: 'R-Weekly',
      limits: { websites: 5, backup_storage_mb: 1024 },
      features: {
        backups: true,
        backup_frequency: 'weekly',
        backup_keep_daily: 0,
        backup_keep_weekly: 2,
        backup_keep_monthly: 1,
        backup_window_from: 1,
        backup_window_to: 3,
      },
    }),
  );
  t.equal(within.status, 201, JSON.stringify(within.body));
  const beyond = await caller(host, seller).post(
    '/v1/packages',
    packageBody({
      name: 'R-Daily',
      limits: { websites: 5, backup_storage_mb: 4096 },
      features: { backups: true, backup_frequency: 'daily', backup_keep_weekly: 8, backup_keep_monthly: 2 },
    }),
  );
  t.equal(beyond.status, 409);
  t.equal(beyond.body.error.code, 'ACCOUNTS_ERR_EXCEEDS_OWN_PACKAGE');
  t.same(
    beyond.body.error.details.fields,
    ['limits.backup_storage_mb', 'features.backup_keep_daily', 'features.backup_keep_weekly', 'features.backup_frequency'],
    'more storage, more kept, more often than its own package: refused (an unset keep count could be more)',
  );
});
