/**
 * `/v1/billing/payment-methods` against the Stripe stand-in (no mocks): every route × role ×
 * own/foreign method; a card added through Checkout in setup mode, chosen as default (and then
 * charged when an invoice is paid), removed; sellers without keys offer no card.
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
} from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const RETURN = 'http://127.0.0.1:9/p/billing/payment-methods';
const standIn = await startStripeStandIn();
const host = await startTestHost({
  plugins: [
    { definition: accounts, version: '0.1.0' },
    { definition: manual, version: '0.1.0' },
    { definition: stripe, version: '0.1.0' },
    billing,
  ],
  config: {
    'payment-stripe': { secretKey: 'sk_test_pm_platform', webhookSecret: 'whsec_pm', apiBase: standIn.url },
    billing: { paymentMethodsReturnUrl: RETURN },
  },
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
  await standIn.close();
});

const { admin, resellerA, resellerB, customerA, customerB, techA, actors } = await twoTrees(sql);

/** Give a reseller its own Stripe account (its customers' cards are saved there). */
async function keysFor(reseller: TestUser, key: string): Promise<void> {
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const args = ['set', reseller.id, '--gateway', 'stripe', '--secret', `secretKey=${key}`];
  if ((await host.kernel.runCommand('billing', 'payment-account', args, io)) !== 0) throw new Error(out.join('\n'));
}
await keysFor(resellerA, 'sk_test_pm_reseller_a');
await keysFor(resellerB, 'sk_test_pm_reseller_b');

/** Add a card the way a person does: the API's Checkout page, the card typed there. Answers its id. */
async function saveCard(user: TestUser, number = '4242424242424242'): Promise<string> {
  const as = caller(host, user);
  const before = new Set(((await as.get('/v1/billing/payment-methods')).body.items as Array<{ id: string }>).map((m) => m.id));
  const started = await as.post('/v1/billing/payment-methods', { gateway: 'stripe' });
  if (started.status !== 201) throw new Error(JSON.stringify(started.body));
  const page = await fetch(started.body.url as string, {
    method: 'POST',
    body: `card=${number}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (page.status !== 302 && page.status !== 303) throw new Error(`checkout answered ${page.status}`);
  const after = (await as.get('/v1/billing/payment-methods')).body.items as Array<{ id: string }>;
  const added = after.find((m) => !before.has(m.id));
  if (!added) throw new Error('no card was added');
  return added.id;
}

const ownCard = (role: keyof typeof actors) => saveCard(role === 'technical_user' ? customerA : actors[role]);
const same = (code: number): [number, number] => [code, code];
const mine = (ok: number) => ({
  super_admin: [ok, 404] as [number, number],
  reseller: [ok, 404] as [number, number],
  customer: [ok, 404] as [number, number],
  technical_user: same(403),
});
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/payment-methods': {
    make: async () => ({ url: '/v1/billing/payment-methods' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(403) },
  },
  'POST /v1/billing/payment-methods': {
    make: async () => ({ url: '/v1/billing/payment-methods', payload: { gateway: 'stripe' } }),
    expect: { super_admin: same(201), reseller: same(201), customer: same(201), technical_user: same(403) },
  },
  'POST /v1/billing/payment-methods/{id}/default': {
    make: async (w, role) => ({
      url: `/v1/billing/payment-methods/${w === 'own' ? await ownCard(role) : await saveCard(customerB)}/default`,
    }),
    expect: mine(200),
  },
  'DELETE /v1/billing/payment-methods/{id}': {
    make: async (w, role) => ({
      url: `/v1/billing/payment-methods/${w === 'own' ? await ownCard(role) : await saveCard(customerB)}`,
    }),
    expect: mine(204),
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/payment-methods/, TABLE);

t.test('add, choose the default, get charged with it, remove', async (t) => {
  const carol = await makeUser(sql, 'customer', resellerA);
  const as = caller(host, carol);
  t.match(await as.get('/v1/billing/payment-methods'), {
    status: 200,
    body: { issuer: resellerA.id, items: [], defaultLabel: null, canAdd: ['stripe'] },
  });
  const started = await as.post('/v1/billing/payment-methods', {});
  t.match(started, { status: 201, body: { gateway: 'stripe', sessionId: /^cs_test_/ } });
  t.ok((started.body.url as string).startsWith(`${standIn.url}/checkout/`), 'the stand-in’s hosted page');
  // A declined card saves nothing; the page says so and stays.
  const declined = await fetch(started.body.url as string, {
    method: 'POST',
    body: 'card=4000000000000002',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  t.equal(declined.status, 200);
  t.match(await declined.text(), /declined/);
  t.same((await as.get('/v1/billing/payment-methods')).body.items, []);
  // The card typed on the page comes back as a saved method; the customer back on the panel page.
  const done = await fetch(started.body.url as string, {
    method: 'POST',
    body: 'card=4242424242424242',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  t.equal(done.headers.get('location'), RETURN);
  const visa = (await as.get('/v1/billing/payment-methods')).body.items[0].id as string;
  const mastercard = await saveCard(carol, '5555555555554444');
  // No default chosen: the first listed (Stripe: the newest) is the one charged, and shown so.
  const implied = (await as.get('/v1/billing/payment-methods')).body;
  t.match(implied.items, [
    { gateway: 'stripe', kind: 'card', isDefault: true, canMakeDefault: false, canRemove: true },
    { gateway: 'stripe', kind: 'card', isDefault: false, canMakeDefault: true, canRemove: true },
  ]);
  t.same(implied.items.map((m: { id: string }) => m.id).sort(), [visa, mastercard].sort());
  t.equal(implied.defaultLabel, implied.items[0].label);
  t.match(implied.items.map((m: { label: string }) => m.label).sort(), [/^Mastercard •••• 4444, 12\/\d{4}$/, /^Visa •••• 4242/]);
  t.match(await as.post(`/v1/billing/payment-methods/${visa}/default`), {
    status: 200,
    body: {
      items: [
        { id: visa, isDefault: true },
        { id: mastercard, isDefault: false },
      ],
      defaultLabel: /^Visa/,
    },
  });
  const customer = standIn
    .ledger('sk_test_pm_reseller_a')
    .customer((await sql('plugin_billing.gateway_customers').where({ user_id: carol.id }).first()).customer_ref);
  t.equal((customer.invoice_settings as { default_payment_method: string }).default_payment_method, visa, 'kept at Stripe');

  // Paying without naming a card charges the default.
  const invoice = await caller(host, resellerA).post('/v1/invoices', {
    customerId: carol.id,
    currency: 'EUR',
    lines: [{ description: 'Support hour', unitAmount: 4000 }],
  });
  t.equal(invoice.status, 201);
  t.match(await as.post(`/v1/invoices/${invoice.body.id}/pay`, { gateway: 'stripe' }), {
    status: 200,
    body: { payment: { status: 'succeeded' }, invoice: { status: 'paid' } },
  });
  const charged = [...standIn.ledger('sk_test_pm_reseller_a').paymentIntents.values()].find(
    (pi) => (pi.metadata as Record<string, string>).invoice_id === invoice.body.id,
  );
  t.equal(charged?.payment_method, visa);

  t.equal((await as.del(`/v1/billing/payment-methods/${visa}`)).status, 204);
  t.match((await as.get('/v1/billing/payment-methods')).body, {
    items: [{ id: mastercard, isDefault: true }],
    defaultLabel: /^Mastercard/,
  });
  t.equal(standIn.ledger('sk_test_pm_reseller_a').paymentMethods.get(visa)?.customer, null, 'detached at Stripe');
  t.match(await as.del(`/v1/billing/payment-methods/${visa}`), {
    status: 404,
    body: { error: { code: 'BILLING_ERR_PAYMENT_METHOD_NOT_FOUND' } },
  });
  const audit = await sql('hostplane.audit_log')
    .where({ actor_id: carol.id })
    .whereIn('action', ['billing.payment_method.default_set', 'billing.payment_method.removed'])
    .orderBy('id')
    .select('action', 'target_id', 'details');
  t.match(audit, [
    { action: 'billing.payment_method.default_set', target_id: visa, details: { gateway: 'stripe', issuer: resellerA.id } },
    { action: 'billing.payment_method.removed', target_id: visa, details: { label: /^Visa/ } },
  ]);
});

t.test('bad input and sellers without a card account', async (t) => {
  const as = caller(host, customerA);
  t.equal((await as.post('/v1/billing/payment-methods/pm..x/default')).status, 400);
  // (Fastify refuses path parameters over 100 characters itself: 414.)
  t.equal((await as.post(`/v1/billing/payment-methods/${'x'.repeat(201)}/default`)).status, 414);
  t.match(await as.post('/v1/billing/payment-methods/pm_unknown/default'), {
    status: 404,
    body: { error: { code: 'BILLING_ERR_PAYMENT_METHOD_NOT_FOUND' } },
  });
  // Bank transfer keeps nothing to charge later; unknown gateways are unknown.
  for (const gateway of ['manual', 'paypal'])
    t.match(await as.post('/v1/billing/payment-methods', { gateway }), {
      status: 400,
      body: { error: { code: 'BILLING_ERR_GATEWAY_UNKNOWN' } },
    });
  t.equal((await as.post('/v1/billing/payment-methods', { gateway: 'Stripe!' })).status, 400);
  t.equal((await as.post('/v1/billing/payment-methods', { gateway: 'stripe', extra: 1 })).status, 400);
  // A reseller without keys: its customers cannot save a card (nor pay by one).
  const keyless = await makeUser(sql, 'reseller', admin);
  const dave = caller(host, await makeUser(sql, 'customer', keyless));
  t.match(await dave.get('/v1/billing/payment-methods'), { status: 200, body: { items: [], canAdd: [] } });
  t.equal((await dave.post('/v1/billing/payment-methods', { gateway: 'stripe' })).status, 400);
  t.equal((await caller(host, techA).get('/v1/billing/payment-methods')).status, 403);
});
