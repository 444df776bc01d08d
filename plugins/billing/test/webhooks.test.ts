/**
 * Stripe webhooks through billing, end to end: the official client talks to the Stripe stand-in,
 * the stand-in signs events and a bridge hands them to the host's `/v1/billing/webhooks/stripe`.
 * Events are held and released duplicated, reversed and late: every invoice is paid once, and a
 * payment for an invoice that is already paid is refunded automatically.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import { startStripeStandIn, type StandInEvent } from '@hostplane/testing/stripe-stand-in';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import stripe from '@hostplane/plugin-payment-stripe';
import { caller, makeUser, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const PLATFORM_SECRET = 'whsec_platform_secret';
const RESELLER_SECRET = 'whsec_reseller_secret';

const standIn = await startStripeStandIn({ delivery: 'manual' });
const host = await startTestHost({
  plugins: [
    { definition: accounts, version: '0.1.0' },
    { definition: manual, version: '0.1.0' },
    { definition: stripe, version: '0.1.0' },
    billing,
  ],
  config: {
    'payment-stripe': {
      secretKey: 'sk_test_platform',
      webhookSecret: PLATFORM_SECRET,
      apiBase: standIn.url,
      returnUrl: 'http://127.0.0.1:9/invoices',
    },
  },
  clock: '2026-12-05T10:00:00Z',
});
const sql = sqlOf(host);

// The bridge: what the host's HTTP server would be for Stripe (the test host has no socket).
const bridge = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    host
      .inject({ method: 'POST', url: req.url!, headers, payload: Buffer.concat(chunks).toString('utf8') })
      .then((answer) => res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(answer.body))
      .catch(() => res.writeHead(502).end());
  });
});
await new Promise<void>((r) => bridge.listen(0, '127.0.0.1', r));
const bridgeUrl = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
standIn.setWebhook({ url: `${bridgeUrl}/v1/billing/webhooks/stripe`, secret: PLATFORM_SECRET });

t.teardown(async () => {
  await sql.destroy();
  await host.close();
  await standIn.close();
  await new Promise((r) => bridge.close(r));
});

// Issuing an invoice also queues its PDF and mail (rendered on the worker pool): on a loaded
// machine the first render alone can pass drainJobs' default 30 s.
const drain = () => host.drainJobs({ timeoutMs: 180_000 });

const admin = await makeUser(sql, 'super_admin');
const asAdmin = caller(host, admin);
const platformStripe = new Stripe('sk_test_platform', standIn.clientOptions());

async function invoiceFor(customerId: string, amount: number): Promise<string> {
  const res = await asAdmin.post('/v1/invoices', {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Hosting', quantity: 1, unitAmount: amount }],
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

const invoiceOf = async (id: string) =>
  (await sql('plugin_billing.invoices').where({ id }).first('status', 'amount_paid', 'total')) as {
    status: string;
    amount_paid: string;
  };
const paymentsOf = (id: string) =>
  sql('plugin_billing.payments').where({ invoice_id: id }).select('gateway', 'amount', 'gateway_payment_id');
const eventCount = async () =>
  Number(((await sql('plugin_billing.payment_events').count({ c: '*' })) as Array<{ c: string }>)[0]!.c);

/** The customer fills the stand-in's Checkout page with a card number. */
async function completeCheckout(url: string, card = '4242424242424242') {
  const res = await fetch(url, {
    method: 'POST',
    body: `card=${card}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`checkout answered ${res.status}: ${await res.text()}`);
}

const paymentEvents = (e: StandInEvent) => ['payment_intent.succeeded', 'checkout.session.completed'].includes(e.type);

t.test('a wrong or missing signature is a 400 and nothing is stored', async (t) => {
  const before = await eventCount();
  const payload = JSON.stringify({
    id: 'evt_forged',
    object: 'event',
    type: 'payment_intent.succeeded',
    created: 1,
    data: { object: {} },
  });
  const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
  for (const headers of [{ 'stripe-signature': forged }, {}, { 'stripe-signature': 't=1,v1=00' }]) {
    const res = await host.inject({
      method: 'POST',
      url: '/v1/billing/webhooks/stripe',
      headers: { 'content-type': 'application/json', ...headers },
      payload,
    });
    t.equal(res.statusCode, 400);
    t.equal(res.json<{ error: { code: string } }>().error.code, 'PAYMENT_ERR_WEBHOOK_SIGNATURE');
  }
  const unknown = await host.inject({
    method: 'POST',
    url: '/v1/billing/webhooks/paypal',
    headers: { 'content-type': 'application/json' },
    payload,
  });
  t.equal(unknown.statusCode, 404);
  const noHooks = await host.inject({
    method: 'POST',
    url: '/v1/billing/webhooks/manual',
    headers: { 'content-type': 'application/json' },
    payload,
  });
  t.equal(noHooks.statusCode, 404, 'bank transfer takes no webhooks');
  const badIssuer = await host.inject({
    method: 'POST',
    url: '/v1/billing/webhooks/stripe/not-a-user',
    headers: { 'content-type': 'application/json' },
    payload,
  });
  t.equal(badIssuer.statusCode, 400);
  const huge = await host.inject({
    method: 'POST',
    url: '/v1/billing/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': forged },
    payload: 'x'.repeat(600 * 1024),
  });
  t.equal(huge.statusCode, 413);
  t.equal(await eventCount(), before, 'nothing stored');
});

t.test('Checkout: events duplicated and reversed pay the invoice once; the card is kept for the next one', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const asCustomer = caller(host, customer);
  const invoice = await invoiceFor(customer.id, 2500);
  const pay = await asCustomer.post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  t.equal(pay.status, 200, JSON.stringify(pay.body));
  t.equal(pay.body.payment.status, 'requires_action', 'no card yet: a Checkout link');
  await completeCheckout(pay.body.payment.actionUrl);
  t.equal((await invoiceOf(invoice)).status, 'unpaid', 'nothing is paid before the webhook');

  const deliveries = await standIn.release({ order: 'reverse', copies: 3 });
  t.ok(deliveries.length >= 6);
  t.ok(
    deliveries.every((d) => d.status === 200),
    'every copy is answered 200',
  );
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '2500' });
  t.equal((await paymentsOf(invoice)).length, 1, 'one payment for two events × three copies');
  const outcomes = (await sql('plugin_billing.payment_events')
    .whereIn('gateway_type', ['payment_intent.succeeded', 'checkout.session.completed'])
    .pluck('outcome')) as string[];
  t.equal(outcomes.filter((o) => o === 'payment recorded').length, 1);
  t.equal(outcomes.filter((o) => /^the same payment as event/.test(o)).length, 1);

  // The next invoice is charged off-session with the card Checkout kept.
  const next = await invoiceFor(customer.id, 1500);
  const auto = await asCustomer.post(`/v1/invoices/${next}/pay`, { gateway: 'stripe' });
  t.equal(auto.body.payment.status, 'succeeded');
  t.equal(auto.body.invoice.status, 'paid');
  await standIn.release({ copies: 2 });
  await drain();
  t.equal((await paymentsOf(next)).length, 1, 'the webhook finds the payment already recorded');
  t.equal(
    await sql('plugin_billing.overpayments')
      .count({ c: '*' })
      .first()
      .then((r) => Number(r!.c)),
    0,
    'no refund',
  );
});

t.test('a late payment for an invoice paid by bank transfer is refunded automatically, once', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 4000);
  const pay = await caller(host, customer).post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  const marked = await asAdmin.post(`/v1/invoices/${invoice}/mark-paid`, { reference: 'SEPA 2026-12-05' });
  t.equal(marked.status, 200, JSON.stringify(marked.body));
  await completeCheckout(pay.body.payment.actionUrl);
  // Delayed: the events come after the manual payment, twice.
  await standIn.release({ filter: paymentEvents, copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '4000' });
  t.same(
    (await paymentsOf(invoice)).map((p) => p.gateway),
    ['manual'],
    'only the transfer counts',
  );
  const [over] = await sql('plugin_billing.overpayments').where({ invoice_id: invoice });
  t.match(over, { status: 'refunded', amount: '4000', reason: 'invoice_paid', refund_id: /^re_/ });
  const pi = await platformStripe.paymentIntents.retrieve(over.payment_id, { expand: ['latest_charge'] });
  t.equal((pi.latest_charge as Stripe.Charge).amount_refunded, 4000, 'the money went back once');
  const audit = await sql('hostplane.audit_log').where({ action: 'billing.payment.overpaid' }).count({ c: '*' }).first();
  t.equal(Number(audit!.c), 1);
  await standIn.release();
});

t.test('two Checkout tabs paid: the second payment is refunded, the invoice paid once', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 1000);
  const asCustomer = caller(host, customer);
  // Two sessions for one balance: the second pay call reuses the first's key, so make a fresh session by hand.
  const first = await asCustomer.post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  const gatewayCustomer = (await sql('plugin_billing.gateway_customers').where({ user_id: customer.id }).first())
    .customer_ref as string;
  const second = await platformStripe.checkout.sessions.create({
    mode: 'payment',
    customer: gatewayCustomer,
    line_items: [{ quantity: 1, price_data: { currency: 'eur', unit_amount: 1000, product_data: { name: 'again' } } }],
    payment_intent_data: { metadata: { invoice_id: invoice } },
    metadata: { invoice_id: invoice },
    success_url: 'http://127.0.0.1:9/ok',
  });
  await completeCheckout(first.body.payment.actionUrl);
  await completeCheckout(second.url!);
  await standIn.release({ order: 'shuffle', copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '1000' });
  t.equal((await paymentsOf(invoice)).length, 1);
  const overs = await sql('plugin_billing.overpayments').where({ invoice_id: invoice });
  t.equal(overs.length, 1);
  t.equal(overs[0].status, 'refunded');
});

t.test('a reseller’s own account: its secret, its URL, only its invoices', async (t) => {
  const reseller = await makeUser(sql, 'reseller', admin);
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const code = await host.kernel.runCommand(
    'billing',
    'payment-account',
    [
      'set',
      reseller.id,
      '--gateway',
      'stripe',
      '--secret',
      'secretKey=sk_test_reseller',
      '--secret',
      `webhookSecret=${RESELLER_SECRET}`,
    ],
    io,
  );
  t.equal(code, 0, out.join('\n'));
  t.notMatch(out.join('\n'), /sk_test_reseller|whsec_/, 'keys are never printed');
  const platformCustomer = await makeUser(sql, 'customer', admin);
  const platformInvoice = await invoiceFor(platformCustomer.id, 700);
  const resellerCustomer = await makeUser(sql, 'customer', reseller);
  const resellerInvoice = await invoiceFor(resellerCustomer.id, 800);
  standIn.setWebhook(
    { url: `${bridgeUrl}/v1/billing/webhooks/stripe/${reseller.id}`, secret: RESELLER_SECRET },
    'sk_test_reseller',
  );

  const pay = await caller(host, resellerCustomer).post(`/v1/invoices/${resellerInvoice}/pay`, { gateway: 'stripe' });
  t.equal(pay.status, 200, JSON.stringify(pay.body));
  t.ok(standIn.ledger('sk_test_reseller').sessions.size > 0, 'the reseller’s own Stripe account made the Checkout session');
  await completeCheckout(pay.body.payment.actionUrl);

  // The reseller's account also pays something claiming to be the platform's invoice.
  const resellerStripe = new Stripe('sk_test_reseller', standIn.clientOptions());
  const cus = await resellerStripe.customers.create({ email: 'x@example.com' });
  const pm = await resellerStripe.paymentMethods.attach('pm_card_visa', { customer: cus.id });
  await resellerStripe.paymentIntents.create({
    amount: 700,
    currency: 'eur',
    customer: cus.id,
    payment_method: pm.id,
    confirm: true,
    off_session: true,
    metadata: { invoice_id: platformInvoice },
  });
  const released = await standIn.release({ filter: paymentEvents });
  t.ok(released.every((d) => d.status === 200));
  await drain();
  t.equal((await invoiceOf(resellerInvoice)).status, 'paid');
  t.equal((await invoiceOf(platformInvoice)).status, 'unpaid', 'another seller’s event never pays the platform’s invoice');
  const outcome = await sql('plugin_billing.payment_events').where({ invoice_ref: platformInvoice }).first('outcome', 'issuer');
  t.match(outcome, { outcome: 'invoice of another seller: left alone', issuer: reseller.id });

  // The reseller's events signed with its secret are refused at the platform's URL.
  const event = standIn.events('sk_test_reseller').find((e) => e.type === 'payment_intent.succeeded')!;
  const payload = JSON.stringify(event);
  const res = await host.inject({
    method: 'POST',
    url: '/v1/billing/webhooks/stripe',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: RESELLER_SECRET }),
    },
    payload,
  });
  t.equal(res.statusCode, 400);
  await standIn.release();
  standIn.setWebhook(undefined, 'sk_test_reseller');
});

t.test('hostplane billing webhooks replay processes an event again without paying twice', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 1234);
  const pay = await caller(host, customer).post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  await completeCheckout(pay.body.payment.actionUrl);
  await standIn.release();
  await drain();
  const row = await sql('plugin_billing.payment_events')
    .where({ gateway_type: 'payment_intent.succeeded', invoice_ref: invoice })
    .first();
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  t.equal(await host.kernel.runCommand('billing', 'webhooks', ['replay', row.event_id], io), 0, out.join('\n'));
  t.match(out.join('\n'), /queued/);
  await drain();
  const again = await sql('plugin_billing.payment_events').where({ event_id: row.event_id }).first();
  t.ok(again.processed_at, 'processed again');
  t.equal((await paymentsOf(invoice)).length, 1, 'still one payment');
  t.equal(
    await sql('plugin_billing.overpayments')
      .where({ invoice_id: invoice })
      .count({ c: '*' })
      .first()
      .then((r) => Number(r!.c)),
    0,
  );
  out.length = 0;
  await t.rejects(host.kernel.runCommand('billing', 'webhooks', ['replay', 'evt_unknown'], io), {
    code: 'BILLING_ERR_PAYMENT_EVENT_NOT_FOUND',
  });
  t.equal(await host.kernel.runCommand('billing', 'webhooks', ['replay'], io), 2, 'usage error');
  out.length = 0;
  t.equal(await host.kernel.runCommand('billing', 'webhooks', ['list', '--limit', '5'], io), 0);
  t.match(out.join('\n'), /EVENT\s+GATEWAY/);
});
