/**
 * Every credit and coupon route × every role × own/foreign → expected status (the table is
 * compared with the routes the host publishes under /v1/billing/credits, /coupons and
 * /subscriptions).
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import {
  caller,
  checkAuthorizationTable,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, billing],
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, resellerB, customerA, customerB, actors } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const pkg = (await asAdmin.post('/v1/packages', packageBody({ prices: { monthly: 1999 } }))).body.id as string;
const customerOf: Record<Which, string> = { own: customerA.id, foreign: customerB.id };
const sellerOf = { own: resellerA, foreign: resellerB };

let counter = 0;
/** A fresh coupon of the side's reseller (unlimited, so every cell can redeem one). */
async function coupon(which: Which): Promise<{ id: string; code: string }> {
  counter += 1;
  const res = await caller(host, sellerOf[which]).post('/v1/billing/coupons', {
    code: `CELL${counter}`,
    kind: 'percent',
    percentBp: 1000,
    duration: 'once',
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

async function subscription(which: Which): Promise<string> {
  const res = await asAdmin.post('/v1/subscriptions', { customerId: customerOf[which], packageId: pkg, billingCycle: 'monthly' });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

const same = (code: number): [number, number] => [code, code];
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/credits/{customerId}': {
    make: async (w) => ({ url: `/v1/billing/credits/${customerOf[w]}` }),
    // A technical user sees only itself: its customer's credit is outside its subtree.
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'POST /v1/billing/credits/{customerId}': {
    make: async (w) => ({
      url: `/v1/billing/credits/${customerOf[w]}`,
      payload: { amount: 100, currency: 'EUR', note: 'goodwill' },
    }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'GET /v1/billing/coupons': {
    make: async () => ({ url: '/v1/billing/coupons' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(403), technical_user: same(403) },
  },
  'POST /v1/billing/coupons': {
    make: async () => {
      counter += 1;
      return {
        url: '/v1/billing/coupons',
        payload: { code: `NEW${counter}`, kind: 'fixed', amount: 100, currency: 'EUR', duration: 'once' },
      };
    },
    expect: { super_admin: same(201), reseller: same(201), customer: same(403), technical_user: same(403) },
  },
  'GET /v1/billing/coupons/{id}': {
    make: async (w) => ({ url: `/v1/billing/coupons/${(await coupon(w)).id}` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/billing/coupons/{id}/archive': {
    make: async (w) => ({ url: `/v1/billing/coupons/${(await coupon(w)).id}/archive` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/billing/subscriptions/{id}/coupon': {
    make: async (w) => ({
      url: `/v1/billing/subscriptions/${await subscription(w)}/coupon`,
      payload: { code: (await coupon(w)).code },
    }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'DELETE /v1/billing/subscriptions/{id}/coupon': {
    make: async (w) => {
      const id = await subscription(w);
      const res = await asAdmin.post(`/v1/billing/subscriptions/${id}/coupon`, { code: (await coupon(w)).code });
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      return { url: `/v1/billing/subscriptions/${id}/coupon` };
    },
    expect: { super_admin: same(204), reseller: [204, 404], customer: [204, 404], technical_user: same(403) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/(credits|coupons|subscriptions\/\{id\}\/coupon)/, TABLE);

t.test('credit: granted by the seller, taken back never below zero, in parallel too', async (t) => {
  const asReseller = caller(host, resellerA);
  const url = `/v1/billing/credits/${customerA.id}`;
  const start = (await asReseller.get(url)).body.balances.find((b: { currency: string }) => b.currency === 'USD')?.balance ?? 0;
  t.equal(start, 0);
  t.match(await asReseller.post(url, { amount: 1000, currency: 'USD', note: 'outage' }), {
    status: 200,
    body: { balance: { issuer: resellerA.id, currency: 'USD', balance: 1000 } },
  });
  const takes = await Promise.all(
    Array.from({ length: 10 }, () => asReseller.post(url, { amount: -300, currency: 'USD', note: 'correction' })),
  );
  t.same(takes.map((r) => r.status).sort(), [200, 200, 200, 409, 409, 409, 409, 409, 409, 409]);
  t.match(takes.find((r) => r.status === 409)!.body, { error: { code: 'BILLING_ERR_CREDIT_INSUFFICIENT' } });
  const after = (await asReseller.get(url)).body;
  t.match(
    after.balances.find((b: { currency: string }) => b.currency === 'USD'),
    { balance: 100 },
  );
  t.equal(after.ledger.filter((e: { currency: string }) => e.currency === 'USD').length, 4, 'one grant, three take-backs');
  for (const body of [
    { amount: 0, currency: 'USD', note: 'x' },
    { amount: 1.5, currency: 'USD', note: 'x' },
    { amount: 100, currency: 'usd', note: 'x' },
    { amount: 100, currency: 'USD', note: '' },
    { amount: 100, currency: 'USD', note: 'nul\u0000' },
    { amount: 100, currency: 'USD' },
    { amount: 1e16, currency: 'USD', note: 'x' },
  ])
    t.equal((await asReseller.post(url, body)).status, 400, JSON.stringify(body));
  t.equal((await asReseller.post('/v1/billing/credits/not-a-uuid', { amount: 1, currency: 'USD', note: 'x' })).status, 400);
  t.equal((await caller(host, resellerA).get(`/v1/billing/credits/${admin.id}`)).status, 404);
});

t.test('panel pages: customers see invoices, sellers also coupons (with their form) and revenue', async (t) => {
  const pagesOf = async (user: Parameters<typeof caller>[1]) =>
    ((await caller(host, user).get('/v1/panel/pages')).body.items as Array<{ pluginId: string; id: string; sections: unknown[] }>)
      .filter((p) => p.pluginId === 'billing')
      .map((p) => p.id)
      .sort();
  t.same(await pagesOf(customerA), [
    'billing-profile',
    'invoice',
    'invoices',
    'payment-methods',
    'subscription',
    'upcoming-invoices',
  ]);
  t.same(await pagesOf(resellerA), [
    'billing-profile',
    'coupons',
    'invoice',
    'invoices',
    'issuer',
    'payment-methods',
    'revenue',
    'subscription',
    'tax-rate',
    'tax-rates',
    'upcoming-invoices',
  ]);
  t.same(await pagesOf(admin), [
    'billing-profile',
    'coupons',
    'invoice',
    'invoices',
    'issuer',
    'payment-methods',
    'revenue',
    'subscription',
    'tax-rate',
    'tax-rates',
    'upcoming-invoices',
  ]);
  // What the invoices table reads is the customer's own list.
  t.equal((await caller(host, customerA).get('/v1/invoices?limit=100')).status, 200);
});
