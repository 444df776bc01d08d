/**
 * Every route × every role × own/foreign resource → expected status. The table is compared with
 * the routes the host publishes in /v1/openapi.json, so a new route without a row fails here.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../src/index.js';
import {
  checkAuthorizationTable,
  makeUser,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type TestUser,
  type Which,
} from './helpers.js';

const host = await startTestHost({ plugins: [accounts] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { resellerA, customerA, resellerB, customerB, actors } = await twoTrees(sql);

const side = (which: Which) =>
  which === 'own' ? { reseller: resellerA, customer: customerA } : { reseller: resellerB, customer: customerB };

async function pkg(owner: TestUser | null): Promise<string> {
  const body = packageBody();
  const [row] = await sql('plugin_accounts.packages')
    .insert({
      name: 'P',
      currency: 'EUR',
      price_monthly: 100,
      price_yearly: 1000,
      limits: JSON.stringify(body.limits),
      features: JSON.stringify({}),
      visibility: 'public',
      owner_id: owner?.id ?? null,
    })
    .returning('id');
  return row.id as string;
}
async function sub(which: Which, status = 'active'): Promise<string> {
  const s = side(which);
  const [row] = await sql('plugin_accounts.subscriptions')
    .insert({
      customer_id: s.customer.id,
      package_id: await pkg(s.reseller),
      status,
      billing_cycle: 'monthly',
      // Suspended by its reseller, so the table shows who may reach it (the lifting rule by level
      // has its own table in suspension-levels.test.ts).
      suspended_by_level: status === 'suspended' ? 'reseller' : null,
    })
    .returning('id');
  return row.id as string;
}
async function tech(which: Which, status = 'active'): Promise<string> {
  const user = await makeUser(sql, 'technical_user', side(which).customer);
  if (status !== 'active')
    await sql('hostplane.users')
      .where({ id: user.id })
      .update({ status, deleted_at: status === 'deleted' ? sql.fn.now() : null });
  // Suspended by its customer: anyone above may lift it (levels: suspension-levels.test.ts).
  if (status === 'suspended') await sql('plugin_accounts.user_suspensions').insert({ user_id: user.id, level: 'customer' });
  return user.id;
}
let emails = 0;
const email = () => `authz-${++emails}@example.test`;

// Reseller A and B each subscribe to a platform package, so they may build their own.
for (const r of [resellerA, resellerB]) {
  const [row] = await sql('plugin_accounts.subscriptions')
    .insert({ customer_id: r.id, package_id: await pkg(null), status: 'active', billing_cycle: 'monthly' })
    .returning('id');
  await sql.raw(`insert into hostplane.subscription_usage (subscription_id, resource, "limit") values (?, 'websites', null)`, [
    row.id,
  ]);
}
// A platform package with no limits, as the reseller ceiling.
await sql('plugin_accounts.packages').update({
  limits: JSON.stringify({
    disk_mb: null,
    bandwidth_gb: null,
    websites: null,
    domains: null,
    databases: null,
    email_accounts: null,
    cron_jobs: null,
    backups: null,
  }),
  features: JSON.stringify({
    ssh: true,
    git_deploy: true,
    staging: true,
    php_versions: ['8.2', '8.3'],
    waf: true,
    malware_scan: true,
    backups: true,
  }),
});

const same = (code: number): [number, number] => [code, code];
const denied = { customer: same(403), technical_user: same(403) };

const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/packages': {
    make: async () => ({ url: '/v1/packages' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'GET /v1/packages/{id}': {
    make: async (w) => ({ url: `/v1/packages/${await pkg(side(w).reseller)}` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: [200, 404] },
  },
  'POST /v1/packages': {
    make: async (w) => ({ url: '/v1/packages', payload: packageBody(w === 'foreign' ? { ownerId: resellerB.id } : {}) }),
    expect: { super_admin: same(201), reseller: [201, 403], ...denied },
  },
  'PATCH /v1/packages/{id}': {
    make: async (w) => ({ url: `/v1/packages/${await pkg(side(w).reseller)}`, payload: { name: 'Renamed' } }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'DELETE /v1/packages/{id}': {
    make: async (w) => ({ url: `/v1/packages/${await pkg(side(w).reseller)}` }),
    expect: { super_admin: same(204), reseller: [204, 404], ...denied },
  },
  'POST /v1/packages/{id}/archive': {
    make: async (w) => ({ url: `/v1/packages/${await pkg(side(w).reseller)}/archive`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'GET /v1/subscriptions': {
    make: async () => ({ url: '/v1/subscriptions' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'GET /v1/subscriptions/{id}': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w)}` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: [200, 404] },
  },
  'GET /v1/subscriptions/{id}/usage': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w)}/usage` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: [200, 404] },
  },
  'POST /v1/subscriptions': {
    make: async (w) => ({
      url: '/v1/subscriptions',
      payload: { customerId: side(w).customer.id, packageId: await pkg(side(w).reseller), billingCycle: 'monthly' },
    }),
    // A customer outside the subtree reads as an invalid customerId.
    expect: { super_admin: same(201), reseller: [201, 400], ...denied },
  },
  'POST /v1/subscriptions/{id}/suspend': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w)}/suspend`, payload: { reason: 'test' } }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'POST /v1/subscriptions/{id}/unsuspend': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w, 'suspended')}/unsuspend`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'POST /v1/subscriptions/{id}/cancel': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w)}/cancel`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'POST /v1/subscriptions/{id}/terminate': {
    make: async (w) => ({ url: `/v1/subscriptions/${await sub(w)}/terminate`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'POST /v1/subscriptions/{id}/change-package': {
    make: async (w) => ({
      url: `/v1/subscriptions/${await sub(w)}/change-package`,
      payload: { packageId: await pkg(side(w).reseller) },
    }),
    expect: { super_admin: same(200), reseller: [200, 404], ...denied },
  },
  'GET /v1/users': {
    make: async () => ({ url: '/v1/users' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(403) },
  },
  'GET /v1/users/{id}': {
    make: async (w) => ({ url: `/v1/users/${await tech(w)}` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'POST /v1/users': {
    make: async (w, role) => ({
      url: '/v1/users',
      payload:
        role === 'customer' || role === 'technical_user'
          ? { email: email(), role: 'technical_user', ...(w === 'foreign' ? { parentId: customerB.id } : {}) }
          : { email: email(), role: 'customer', parentId: side(w).reseller.id },
    }),
    expect: { super_admin: same(201), reseller: [201, 403], customer: [201, 403], technical_user: same(403) },
  },
  'PATCH /v1/users/{id}': {
    make: async (w) => ({ url: `/v1/users/${await tech(w)}`, payload: { name: 'Renamed' } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'DELETE /v1/users/{id}': {
    make: async (w) => ({ url: `/v1/users/${await tech(w)}` }),
    expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
  },
  'POST /v1/users/{id}/restore': {
    make: async (w) => ({ url: `/v1/users/${await tech(w, 'deleted')}/restore`, payload: {} }),
    expect: { super_admin: same(200), reseller: same(403), customer: same(403), technical_user: same(403) },
  },
  'POST /v1/users/{id}/suspend': {
    make: async (w) => ({ url: `/v1/users/${await tech(w)}/suspend`, payload: { reason: 'test' } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'POST /v1/users/{id}/unsuspend': {
    make: async (w) => ({ url: `/v1/users/${await tech(w, 'suspended')}/unsuspend`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'GET /v1/audit': {
    make: async (w) => ({ url: `/v1/audit?actorId=${side(w).reseller.id}` }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(403), technical_user: same(403) },
  },
  'GET /v1/provider': {
    make: async () => ({ url: '/v1/provider' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/(packages|subscriptions|users|audit|provider)(\/|$)/, TABLE);
