/**
 * What billing's panel pages stand on: the billing profile routes (route × role × own/foreign,
 * validation, parallel saves) and the invoice's `allowed` field, which must agree with the
 * routes it stands for: every action it allows succeeds, every other one is refused.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import stripe from '@hostplane/plugin-payment-stripe';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import {
  caller,
  checkAuthorizationTable,
  makeUser,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type TestUser,
  type Which,
} from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

// Stripe with the platform's keys only: resellers have none, so their customers cannot pay by card.
const standIn = await startStripeStandIn();
const host = await startTestHost({
  plugins: [
    { definition: accounts, version: '0.1.0' },
    { definition: manual, version: '0.1.0' },
    { definition: stripe, version: '0.1.0' },
    billing,
  ],
  config: {
    'payment-stripe': {
      secretKey: 'sk_test_panel_api',
      webhookSecret: 'whsec_panel_api',
      apiBase: standIn.url,
      returnUrl: 'http://127.0.0.1:9/p/billing/invoice/{invoiceId}',
    },
  },
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
  await standIn.close();
});

const { admin, resellerA, customerA, techA, customerB, actors } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const userOf: Record<Which, string> = { own: customerA.id, foreign: customerB.id };
const same = (code: number): [number, number] => [code, code];
const profile = { address: 'Hauptstraße 1\n10115 Berlin', country: 'DE', vatId: 'DE123456789', isBusiness: true };

const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/profile': {
    make: async () => ({ url: '/v1/billing/profile' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(403) },
  },
  'PUT /v1/billing/profile': {
    make: async () => ({ url: '/v1/billing/profile', payload: profile }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(403) },
  },
  'GET /v1/billing/profiles/{userId}': {
    make: async (w) => ({ url: `/v1/billing/profiles/${userOf[w]}` }),
    // The customer's own id is in its tree; another reseller's customer is unknown to all but admins.
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
  'PUT /v1/billing/profiles/{userId}': {
    make: async (w) => ({ url: `/v1/billing/profiles/${userOf[w]}`, payload: profile }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(403) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/profiles?(\/|$)/, TABLE);

t.test('a profile: saved whole, read back, cleared by leaving fields out, never half-valid', async (t) => {
  const carol = await makeUser(sql, 'customer', resellerA);
  const me = caller(host, carol);
  t.match(await me.get('/v1/billing/profile'), {
    status: 200,
    body: { userId: carol.id, address: '', country: null, vatId: null, isBusiness: false, updatedAt: null },
  });
  const saved = await me.call('PUT', '/v1/billing/profile', { ...profile, vatId: 'de 123.456.789', region: ' BE ' });
  t.match(saved, { status: 200, body: { country: 'DE', vatId: 'DE123456789', region: 'BE', isBusiness: true } });
  t.match(await caller(host, resellerA).get(`/v1/billing/profiles/${carol.id}`), { body: { vatId: 'DE123456789' } });
  const cleared = await me.call('PUT', '/v1/billing/profile', { country: 'FR' });
  t.match(cleared.body, { country: 'FR', vatId: null, region: null, address: '', isBusiness: false }, 'PUT replaces');

  const BAD: Array<[string, unknown, string]> = [
    ['country in lower case', { country: 'de' }, 'HOST_ERR_VALIDATION'],
    ['country of three letters', { country: 'DEU' }, 'HOST_ERR_VALIDATION'],
    ['a VAT id of the wrong format', { country: 'DE', vatId: 'DE12' }, 'BILLING_ERR_PROFILE_INVALID'],
    ['a VAT id of another country', { country: 'FR', vatId: 'DE123456789' }, 'BILLING_ERR_PROFILE_INVALID'],
    ['a tax id without a country', { vatId: 'DE123456789' }, 'BILLING_ERR_PROFILE_INVALID'],
    ['a NUL byte in the address', { address: 'a\u0000b' }, 'HOST_ERR_VALIDATION'],
    ['a huge address', { address: 'x'.repeat(100_000) }, 'HOST_ERR_VALIDATION'],
    ['an unknown field', { country: 'DE', iban: 'x' }, 'HOST_ERR_VALIDATION'],
    ['a number for a string', { country: 49 }, 'HOST_ERR_VALIDATION'],
    ['an empty region', { region: '' }, 'HOST_ERR_VALIDATION'],
    ['not an object', ['DE'], 'HOST_ERR_VALIDATION'],
  ];
  for (const [name, body, code] of BAD) {
    const res = await me.call('PUT', '/v1/billing/profile', body);
    t.match(res, { status: 400, body: { error: { code } } }, name);
  }
  t.match(await me.get('/v1/billing/profile'), { body: { country: 'FR' } }, 'refused saves changed nothing');
  t.equal((await caller(host, resellerA).get('/v1/billing/profiles/not-a-uuid')).status, 400);
  t.equal((await caller(host, resellerA).get(`/v1/billing/profiles/${admin.id}`)).status, 404, 'above the caller');
});

t.test('ten saves at once leave one of them whole', async (t) => {
  const me = caller(host, customerA);
  const bodies = Array.from({ length: 10 }, (_, i) => ({
    address: `Street ${i}`,
    country: i % 2 ? 'DE' : 'AT',
    region: `R${i}`,
  }));
  const results = await Promise.all(bodies.map((b) => me.call('PUT', '/v1/billing/profile', b)));
  t.same(
    results.map((r) => r.status),
    bodies.map(() => 200),
  );
  const after = (await me.get('/v1/billing/profile')).body as { address: string; country: string; region: string };
  const i = Number(after.address.slice('Street '.length));
  t.same({ country: after.country, region: after.region }, { country: bodies[i]!.country, region: bodies[i]!.region });
});

t.test('a saved profile decides the next invoice’s tax', async (t) => {
  await sql('plugin_billing.tax_rates').insert({ issuer: resellerA.id, country: 'AT', name: 'USt', rate_bp: 2000 });
  await caller(host, customerA).call('PUT', '/v1/billing/profile', { country: 'AT' });
  const res = await asAdmin.post('/v1/invoices', {
    customerId: customerA.id,
    currency: 'EUR',
    lines: [{ description: 'Setup', unitAmount: 1000 }],
  });
  t.match(res, { status: 201, body: { subtotal: 1000, taxTotal: 200, total: 1200 } });
});

/** An issued invoice of `customer` (customerA: sold by resellerA) in the given state. */
async function invoiceIn(
  state: 'unpaid' | 'partly paid' | 'paid' | 'void' | 'partly refunded' | 'refunded',
  customer = customerA,
): Promise<string> {
  const res = await asAdmin.post('/v1/invoices', {
    customerId: customer.id,
    currency: 'EUR',
    lines: [{ description: 'Domain', unitAmount: 1500 }],
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  const id = res.body.id as string;
  if (state === 'partly refunded' || state === 'refunded') {
    const paid = await asAdmin.post(`/v1/invoices/${id}/mark-paid`, { reference: 'SEPA' });
    const back = await asAdmin.post(`/v1/invoices/${id}/refund`, state === 'refunded' ? {} : { amount: 500 });
    if (paid.status !== 200 || back.status !== 200) throw new Error(`${state}: ${JSON.stringify([paid, back])}`);
    return id;
  }
  const step =
    state === 'paid'
      ? await asAdmin.post(`/v1/invoices/${id}/mark-paid`, { reference: 'SEPA' })
      : state === 'partly paid'
        ? await asAdmin.post(`/v1/invoices/${id}/mark-paid`, { reference: 'SEPA', amount: 100 })
        : state === 'void'
          ? await asAdmin.post(`/v1/invoices/${id}/void`, {})
          : { status: 200 };
  if (step.status !== 200) throw new Error(`${state}: ${JSON.stringify(step)}`);
  return id;
}

t.test('`allowed` agrees with the routes: state × who × action', async (t) => {
  const who: Record<string, TestUser> = { customer: customerA, reseller: resellerA, admin };
  const ACTIONS: Record<
    string,
    {
      allowed: (a: { pay: string[]; markPaid: boolean; void: boolean; refund: boolean }) => boolean;
      call: (id: string) => [string, unknown];
    }
  > = {
    'pay manual': { allowed: (a) => a.pay.includes('manual'), call: (id) => [`/v1/invoices/${id}/pay`, { gateway: 'manual' }] },
    'pay stripe': { allowed: (a) => a.pay.includes('stripe'), call: (id) => [`/v1/invoices/${id}/pay`, { gateway: 'stripe' }] },
    'mark paid': { allowed: (a) => a.markPaid, call: (id) => [`/v1/invoices/${id}/mark-paid`, { reference: 'r' }] },
    void: { allowed: (a) => a.void, call: (id) => [`/v1/invoices/${id}/void`, {}] },
    refund: { allowed: (a) => a.refund, call: (id) => [`/v1/invoices/${id}/refund`, { amount: 100 }] },
  };
  const seen = { allowed: 0, refused: 0 };
  for (const state of ['unpaid', 'partly paid', 'paid', 'void', 'partly refunded', 'refunded'] as const) {
    for (const [name, user] of Object.entries(who)) {
      for (const [action, rule] of Object.entries(ACTIONS)) {
        const id = await invoiceIn(state);
        const as = caller(host, user);
        const detail = await as.get(`/v1/invoices/${id}`);
        t.equal(detail.status, 200);
        const allowed = rule.allowed(detail.body.allowed);
        const [url, body] = rule.call(id);
        const res = await as.post(url, body);
        const ok = res.status >= 200 && res.status < 300;
        t.equal(ok, allowed, `${state} × ${name} × ${action}: allowed ${allowed}, answered ${res.status}`);
        t.ok(res.status < 500, 'never a 500');
        seen[allowed ? 'allowed' : 'refused'] += 1;
      }
    }
  }
  // The table is only worth something if both sides occur.
  t.ok(seen.allowed >= 12 && seen.refused >= 40, JSON.stringify(seen));
  // The platform's own customer may pay by card: the platform has keys.
  const direct = await makeUser(sql, 'customer', admin);
  const id = await invoiceIn('unpaid', direct);
  const asDirect = caller(host, direct);
  t.same((await asDirect.get(`/v1/invoices/${id}`)).body.allowed.pay.sort(), ['manual', 'stripe']);
  t.match(await asDirect.post(`/v1/invoices/${id}/pay`, { gateway: 'stripe' }), {
    status: 200,
    body: { payment: { status: 'requires_action', actionUrl: /^http/ } },
  });
  // A technical user reads no invoice of its customer: no `allowed` to offer anything with.
  t.equal((await caller(host, techA).get(`/v1/invoices/${await invoiceIn('unpaid')}`)).status, 404);
});

t.test('panel pages: customers see invoices and their billing details, sellers also coupons and revenue', async (t) => {
  const pagesOf = async (user: TestUser) =>
    ((await caller(host, user).get('/v1/panel/pages')).body.items as Array<{ pluginId: string; id: string }>)
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
  t.same(await pagesOf(techA), ['invoice', 'invoices', 'subscription', 'upcoming-invoices']);
  const invoicePage = ((await caller(host, customerA).get('/v1/panel/pages')).body.items as Array<Record<string, unknown>>).find(
    (p) => p.pluginId === 'billing' && p.id === 'invoice',
  );
  t.match(invoicePage, { pathParam: 'id', nav: null }, 'the detail page is reached through links, at /p/billing/invoice/<id>');
});
