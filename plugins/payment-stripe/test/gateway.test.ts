/**
 * What the Stripe gateway does beyond the shared contract, against the stand-in: 3-D Secure on
 * an off-session charge, Checkout in payment and setup mode, per-issuer keys, webhook secret
 * rotation and the 300 s tolerance.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import t from 'tap';
import type { PaymentEvent } from '@hostplane/sdk';
import { startStripeStandIn } from '@hostplane/testing/stripe-stand-in';
import { StripeGateway } from '../src/index.js';
import { settings, stripeHarness, WEBHOOK_SECRET } from './support/harness.js';

// A webhook receiver standing in for billing's route: verifies through the gateway.
const received: PaymentEvent[] = [];
const rejected: string[] = [];
const forHooks: { gateway?: StripeGateway; account: { issuerId: string; secrets: Record<string, string> } } = {
  account: { issuerId: '', secrets: {} },
};
const receiver: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    forHooks
      .gateway!.parseWebhook({ account: forHooks.account, rawBody: Buffer.concat(chunks), headers: req.headers })
      .then((event) => {
        received.push(event);
        res.writeHead(200).end();
      })
      .catch((err: { code?: string }) => {
        rejected.push(String(err.code));
        res.writeHead(400).end();
      });
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const standIn = await startStripeStandIn({ webhook: { url: hookUrl, secret: WEBHOOK_SECRET } });
t.teardown(async () => {
  await standIn.close();
  await new Promise((r) => receiver.close(r));
});

const h = stripeHarness({ secretKey: 'sk_test_gateway', apiBase: standIn.url });
forHooks.gateway = h.gateway as StripeGateway;
forHooks.account = h.account;
const { gateway, account, stripe } = h;

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('a card that needs 3-D Secure gets a link; finishing it pays that one intent', async (t) => {
  const { customerId } = await h.newCustomer();
  const pm = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customerId });
  const invoiceId = randomUUID();
  const input = {
    account,
    customerId,
    paymentMethodId: pm.id,
    money: { amount: 4200, currency: 'EUR' },
    invoiceId,
    description: 'INV-3DS',
    idempotencyKey: `charge-${invoiceId}`,
  };
  const first = await gateway.charge(input);
  t.equal(first.status, 'requires_action');
  t.match(first.actionUrl, new RegExp(`^${standIn.url}/3ds/pi_`));
  const again = await gateway.charge(input);
  t.same([again.paymentId, again.actionUrl], [first.paymentId, first.actionUrl], 'a retry is the same intent and link');

  const page = await fetch(first.actionUrl!);
  t.match(await page.text(), /Complete authentication/);
  const done = await fetch(first.actionUrl!, {
    method: 'POST',
    body: 'result=complete',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  t.equal(done.status, 303);
  t.match(done.headers.get('location'), /\/invoices\?payment_intent=pi_.*redirect_status=succeeded/);
  const pi = await stripe.paymentIntents.retrieve(first.paymentId);
  t.equal(pi.status, 'succeeded');
  const event = await waitFor(
    () => received.find((e) => e.type === 'payment.succeeded' && e.invoiceId === invoiceId),
    'the webhook',
  );
  t.match(event, { paymentId: first.paymentId, amount: 4200, currency: 'EUR' });
});

t.test('Checkout in payment mode pays the invoice and keeps the card; setup mode saves one', async (t) => {
  const { customerId } = await gateway.createCustomer({
    account,
    email: 'new@example.com',
    name: 'New',
    reference: randomUUID(),
    idempotencyKey: randomUUID(),
  });
  const invoiceId = randomUUID();
  const session = await gateway.createCheckout!({
    account,
    customerId,
    mode: 'payment',
    money: { amount: 1250, currency: 'EUR' },
    invoiceId,
    description: 'INV-2026-0007',
    successUrl: 'http://127.0.0.1:9/invoices/x?paid={CHECKOUT_SESSION_ID}',
    cancelUrl: 'http://127.0.0.1:9/invoices/x',
    idempotencyKey: `checkout-${invoiceId}`,
  });
  const page = await (await fetch(session.url)).text();
  t.match(page, /€12\.50/);
  t.match(page, /INV-2026-0007/);
  const declined = await fetch(session.url, {
    method: 'POST',
    body: 'card=4000+0000+0000+0002',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.match(await declined.text(), /declined/, 'a declined card stays on the page');
  const paid = await fetch(session.url, {
    method: 'POST',
    body: 'card=4242424242424242',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  t.equal(paid.status, 303);
  t.equal(paid.headers.get('location'), `http://127.0.0.1:9/invoices/x?paid=${session.sessionId}`);
  const completed = await waitFor(
    () => received.find((e) => e.type === 'checkout.completed' && e.invoiceId === invoiceId),
    'checkout.session.completed',
  );
  t.match(completed, { amount: 1250, currency: 'EUR', paymentId: /^pi_/ });
  const methods = await gateway.listPaymentMethods({ account, customerId });
  t.match(methods, [{ kind: 'card', label: /^Visa •••• 4242, 12\/\d{4}$/ }]);

  const setup = await gateway.createCheckout!({
    account,
    customerId,
    mode: 'setup',
    successUrl: 'http://127.0.0.1:9/methods',
    cancelUrl: 'http://127.0.0.1:9/methods',
    idempotencyKey: randomUUID(),
  });
  await fetch(setup.url, {
    method: 'POST',
    body: 'card=5555555555554444',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  const after = await gateway.listPaymentMethods({ account, customerId });
  t.equal(after.length, 2);
  t.ok(after.some((m) => m.label.startsWith('Mastercard •••• 4444')));
});

t.test('without a saved card, a charge is a Checkout link', async (t) => {
  const { customerId } = await gateway.createCustomer({
    account,
    email: 'x@example.com',
    name: 'X',
    reference: randomUUID(),
    idempotencyKey: randomUUID(),
  });
  const result = await gateway.charge({
    account,
    customerId,
    money: { amount: 990, currency: 'EUR' },
    invoiceId: randomUUID(),
    description: 'INV-9',
    idempotencyKey: randomUUID(),
  });
  t.equal(result.status, 'requires_action');
  t.match(result.actionUrl, new RegExp(`^${standIn.url}/checkout/cs_test_`));
});

t.test('one idempotency key for two different requests is a 409, not a second customer', async (t) => {
  const idempotencyKey = randomUUID();
  await gateway.createCustomer({ account, email: 'a@example.com', name: 'A', reference: 'r', idempotencyKey });
  await t.rejects(gateway.createCustomer({ account, email: 'b@example.com', name: 'B', reference: 'r', idempotencyKey }), {
    code: 'STRIPE_ERR_IDEMPOTENCY_CONFLICT',
  });
});

t.test('each issuer pays into its own account; a reseller without keys cannot take cards', async (t) => {
  const other = stripeHarness({ secretKey: 'sk_test_other_reseller', apiBase: standIn.url });
  const { customerId } = await h.newCustomer();
  await t.rejects(other.gateway.listPaymentMethods({ account: other.account, customerId }), {
    code: 'STRIPE_ERR_REQUEST_REJECTED',
  });
  const platformless = new StripeGateway(() => settings({ apiBase: standIn.url, secretKey: 'sk_test_platform' }));
  await t.rejects(
    platformless.createCustomer({
      account: { issuerId: randomUUID(), secrets: {} },
      email: 'c@example.com',
      name: 'C',
      reference: 'r',
      idempotencyKey: randomUUID(),
    }),
    { code: 'STRIPE_ERR_NOT_CONFIGURED' },
  );
  const platform = await platformless.createCustomer({
    account: { issuerId: 'platform', secrets: {} },
    email: 'c@example.com',
    name: 'C',
    reference: 'r',
    idempotencyKey: randomUUID(),
  });
  t.ok(standIn.ledger('sk_test_platform').customers.has(platform.customerId), 'the platform key made it');
});

t.test('webhooks: two secrets during a rotation, 300 s tolerance, wrong secrets refused', async (t) => {
  const gw = new StripeGateway(() =>
    settings({ secretKey: 'sk_test_rotation', webhookSecret: 'whsec_new', previousWebhookSecret: 'whsec_old' }),
  );
  const platform = { issuerId: 'platform', secrets: {} };
  const payload = JSON.stringify({
    id: 'evt_rotation',
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type: 'customer.created',
    data: { object: { id: 'cus_1', object: 'customer' } },
  });
  const sign = (secret: string, timestamp?: number) => ({
    rawBody: Buffer.from(payload),
    headers: {
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) }),
    },
  });
  t.match(await gw.parseWebhook({ account: platform, ...sign('whsec_new') }), { id: 'evt_rotation', type: 'ignored' });
  t.match(
    await gw.parseWebhook({ account: platform, ...sign('whsec_old') }),
    { id: 'evt_rotation' },
    'the old secret still works',
  );
  await t.rejects(gw.parseWebhook({ account: platform, ...sign('whsec_someone_else') }), {
    code: 'PAYMENT_ERR_WEBHOOK_SIGNATURE',
  });
  const stale = Math.floor(Date.now() / 1000) - 301;
  await t.rejects(gw.parseWebhook({ account: platform, ...sign('whsec_new', stale) }), {
    code: 'PAYMENT_ERR_WEBHOOK_SIGNATURE',
    message: /older than 300 s/,
  });
  const recent = Math.floor(Date.now() / 1000) - 250;
  t.ok(await gw.parseWebhook({ account: platform, ...sign('whsec_new', recent) }), 'within the tolerance');
  const noSecret = new StripeGateway(() => settings({ secretKey: 'sk_test_x' }));
  await t.rejects(noSecret.parseWebhook({ account: platform, ...sign('whsec_new') }), {
    code: 'PAYMENT_ERR_WEBHOOK_SIGNATURE',
    message: /no webhook signing secret/,
  });
  t.same(rejected, [], 'the stand-in signed every event it sent with the right secret');
});

t.test('saved cards: the default first and charged without a method; removing detaches', async (t) => {
  const { customerId } = await gateway.createCustomer({
    account,
    email: 'cards@example.com',
    name: 'Cards',
    reference: randomUUID(),
    idempotencyKey: randomUUID(),
  });
  const visa = (await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId })).id;
  const mastercard = (await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customerId })).id;
  const listed = await gateway.listPaymentMethods({ account, customerId });
  t.same(
    listed.map((m) => m.isDefault),
    listed.map(() => false),
    'no default chosen yet',
  );
  await gateway.setDefaultPaymentMethod!({ account, customerId, paymentMethodId: visa });
  t.match(await gateway.listPaymentMethods({ account, customerId }), [{ id: visa, isDefault: true }, { isDefault: false }]);
  t.equal(
    ((await stripe.customers.retrieve(customerId)) as Stripe.Customer).invoice_settings.default_payment_method,
    visa,
    'Stripe’s own setting',
  );
  const invoiceId = randomUUID();
  const paid = await gateway.charge({
    account,
    customerId,
    money: { amount: 900, currency: 'EUR' },
    invoiceId,
    description: 'INV-DEFAULT',
    idempotencyKey: `charge-${invoiceId}`,
  });
  t.equal(paid.status, 'succeeded');
  t.equal((await stripe.paymentIntents.retrieve(paid.paymentId)).payment_method, visa, 'the default was charged');
  // Another customer's card cannot become this one's default (Stripe checks; billing checks first).
  const other = await h.newCustomer();
  const foreign = (await stripe.paymentMethods.attach('pm_card_visa', { customer: other.customerId })).id;
  await t.rejects(gateway.setDefaultPaymentMethod!({ account, customerId, paymentMethodId: foreign }), {
    code: 'STRIPE_ERR_REQUEST_REJECTED',
  });
  await gateway.removePaymentMethod!({ account, customerId, paymentMethodId: visa });
  t.match(await gateway.listPaymentMethods({ account, customerId }), [{ id: mastercard, isDefault: false }]);
  t.equal(
    ((await stripe.customers.retrieve(customerId)) as Stripe.Customer).invoice_settings.default_payment_method,
    null,
    'a detached card is no longer the default',
  );
  await t.rejects(gateway.removePaymentMethod!({ account, customerId, paymentMethodId: visa }), {
    code: 'STRIPE_ERR_REQUEST_REJECTED',
  });
});

t.test('disputes: the stand-in’s signed events normalise to dispute.opened, .updated and .closed', async (t) => {
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: (await stripe.customers.create({})).id });
  const pi = await stripe.paymentIntents.create({
    amount: 3100,
    currency: 'eur',
    customer: pm.customer as string,
    payment_method: pm.id,
    confirm: true,
    off_session: true,
    metadata: { invoice_id: randomUUID() },
  });
  const lost = standIn.openDispute(pi.id, { reason: 'duplicate' });
  standIn.updateDispute(lost.id, 'under_review');
  standIn.closeDispute(lost.id, 'lost');
  await standIn.idle();
  const about = (id: string) => received.filter((e) => e.dispute?.id === id);
  t.match(
    about(lost.id).map((e) => [e.type, e.gatewayType, e.dispute!.status, e.dispute!.outcome]),
    [
      ['dispute.opened', 'charge.dispute.created', 'needs_response', 'open'],
      ['dispute.updated', 'charge.dispute.updated', 'under_review', 'open'],
      ['dispute.closed', 'charge.dispute.closed', 'lost', 'lost'],
    ],
  );
  t.match(about(lost.id)[0], {
    paymentId: pi.id,
    amount: 3100,
    currency: 'EUR',
    dispute: { reason: 'duplicate', evidenceDueBy: Date },
  });
  t.notOk(
    received.some((e) => e.gatewayType === 'charge.dispute.funds_withdrawn' && e.type !== 'ignored'),
    'money movements are ignored: the status says it',
  );
  const pi2 = await stripe.paymentIntents.create({
    amount: 500,
    currency: 'eur',
    customer: pm.customer as string,
    payment_method: pm.id,
    confirm: true,
    off_session: true,
  });
  const inquiry = standIn.openDispute(pi2.id, { inquiry: true });
  standIn.closeDispute(inquiry.id, 'warning_closed');
  await standIn.idle();
  t.match(
    about(inquiry.id).map((e) => [e.type, e.dispute!.outcome]),
    [
      ['dispute.opened', 'open'],
      ['dispute.closed', 'closed'],
    ],
  );
  t.same(rejected, []);
});
