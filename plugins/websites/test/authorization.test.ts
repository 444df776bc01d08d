/**
 * Every websites route × every role × own/foreign site → expected status. The table is compared
 * with the routes the host publishes in /v1/openapi.json, so a new route without a row fails here.
 */
import t from 'tap';
import type { Role } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf, type TestUser } from '../../accounts/test/helpers.js';

const host = await startTestHost({ plugins: [{ definition: accounts, version: '0.1.0' }, websites] });
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

// Two trees under one admin: A's side is "own" for A's reseller, customer and technical user.
const admin = await makeUser(sql, 'super_admin');
const resellerA = await makeUser(sql, 'reseller', admin);
const customerA = await makeUser(sql, 'customer', resellerA);
const techA = await makeUser(sql, 'technical_user', customerA);
const resellerB = await makeUser(sql, 'reseller', admin);
const customerB = await makeUser(sql, 'customer', resellerB);
const actors: Record<Role, TestUser> = { super_admin: admin, reseller: resellerA, customer: customerA, technical_user: techA };
const ROLES = Object.keys(actors) as Role[];
type Which = 'own' | 'foreign';

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
/** A fresh site of the customer on `which` side (suspended by the provider when asked). */
async function site(which: Which, suspended = false): Promise<string> {
  const res = await asAdmin.post('/v1/websites', { domain: domain(), kind: 'static', subscriptionId: subscriptionOf[which] });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  if (suspended) await asAdmin.post(`/v1/websites/${res.body.id}/suspend`, {});
  return res.body.id as string;
}

interface Case {
  make(which: Which): Promise<{ url: string; payload?: unknown }>;
  /** Expected status per role: [own, foreign]. */
  expect: Record<Role, [number, number]>;
}
const same = (code: number): [number, number] => [code, code];
// A technical user reads only what it owns itself: its customer's sites are outside its subtree.
const TABLE: Record<string, Case> = {
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
};

t.test('the table covers exactly the routes the plugin serves', async (t) => {
  const doc = (await host.inject({ method: 'GET', url: '/v1/openapi.json' })).json<{ paths: Record<string, object> }>();
  const served: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!/^\/v1\/websites(\/|$)/.test(path)) continue;
    for (const method of Object.keys(methods)) served.push(`${method.toUpperCase()} ${path.replace(/\/$/, '')}`);
  }
  t.same(served.sort(), Object.keys(TABLE).sort());
});

for (const [route, rule] of Object.entries(TABLE)) {
  t.test(route, async (t) => {
    const method = route.split(' ')[0] as string;
    const anonymous = await rule.make('own');
    const anon = await host.inject({ method, url: anonymous.url, ...(anonymous.payload ? { payload: anonymous.payload } : {}) });
    t.equal(anon.statusCode, 401, 'anonymous');
    for (const role of ROLES) {
      for (const [i, which] of (['own', 'foreign'] as const).entries()) {
        const req = await rule.make(which);
        const res = await host.inject({
          method,
          url: req.url,
          headers: host.headersFor(role, { userId: actors[role].id }),
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
        });
        t.equal(res.statusCode, rule.expect[role][i], `${role} × ${which}: ${res.statusCode >= 500 ? res.body : ''}`);
      }
    }
  });
}
