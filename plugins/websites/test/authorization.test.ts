/**
 * Every websites route × every role × own/foreign site → expected status. The table is compared
 * with the routes the host publishes in /v1/openapi.json, so a new route without a row fails here.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import {
  caller,
  checkAuthorizationTable,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';

const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, websites] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, resellerB, customerA, customerB, actors } = await twoTrees(sql);

const asAdmin = caller(host, admin);
const roomy = (await asAdmin.post('/v1/packages', packageBody({ limits: { websites: 1000, domains: 1000 } }))).body;
const subscriptionOf: Record<Which, string> = {
  own: (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: roomy.id, billingCycle: 'monthly' })).body
    .id,
  foreign: (await asAdmin.post('/v1/subscriptions', { customerId: customerB.id, packageId: roomy.id, billingCycle: 'monthly' }))
    .body.id,
};

let domains = 0;
const domain = () => `authz-${++domains}.example.test`;
/**
 * A fresh site of the customer on `which` side (suspended by that side's reseller when asked, so
 * the table shows who may reach it; who may lift whose suspension has its own table in
 * suspension-levels.test.ts).
 */
async function site(which: Which, suspended = false): Promise<string> {
  const res = await asAdmin.post('/v1/websites', { domain: domain(), kind: 'static', subscriptionId: subscriptionOf[which] });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  if (suspended) await caller(host, which === 'own' ? resellerA : resellerB).post(`/v1/websites/${res.body.id}/suspend`, {});
  return res.body.id as string;
}

const same = (code: number): [number, number] => [code, code];
// A technical user reads only what it owns itself: its customer's sites are outside its subtree.
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/websites': {
    make: async () => ({ url: '/v1/websites' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'GET /v1/websites/server': {
    make: async () => ({ url: '/v1/websites/server' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'GET /v1/websites/{id}': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'POST /v1/websites': {
    make: async (w) => ({
      url: '/v1/websites',
      payload: { domain: domain(), kind: 'static', subscriptionId: subscriptionOf[w] },
    }),
    // A subscription outside the subtree reads as an invalid subscriptionId.
    expect: { super_admin: same(201), reseller: [201, 400], customer: [201, 400], technical_user: same(403) },
  },
  'PATCH /v1/websites/{id}': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}`, payload: { aliases: [domain()] } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'DELETE /v1/websites/{id}': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}` }),
    expect: { super_admin: same(202), reseller: [202, 404], customer: [202, 404], technical_user: same(403) },
  },
  'POST /v1/websites/{id}/suspend': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/suspend`, payload: { reason: 'test' } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/websites/{id}/unsuspend': {
    make: async (w) => ({ url: `/v1/websites/${await site(w, true)}/unsuspend`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  // The table's sites are static: PHP settings can be read, and a change stops at 409.
  'GET /v1/websites/{id}/php-settings': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/php-settings` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'PUT /v1/websites/{id}/php-settings': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/php-settings`, payload: { displayErrors: true } }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(403) },
  },
  // No web server in this host: the file routes reach the site (own) and stop at 409, or read
  // a foreign site as missing. files.test.ts has the same table against a real server.
  'GET /v1/websites/{id}/files': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/files?path=` }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(404) },
  },
  'GET /v1/websites/{id}/files/content': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/files/content?path=index.html` }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(404) },
  },
  'PUT /v1/websites/{id}/files/content': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/files/content?path=a.txt`, payload: { content: 'x' } }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(403) },
  },
  'POST /v1/websites/{id}/files': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/files?path=d`, payload: { action: 'mkdir' } }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(403) },
  },
  'DELETE /v1/websites/{id}/files': {
    make: async (w) => ({ url: `/v1/websites/${await site(w)}/files?path=a.txt` }),
    expect: { super_admin: same(409), reseller: [409, 404], customer: [409, 404], technical_user: same(403) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/websites(\/|$)/, TABLE);
