/**
 * The Stripe stand-in answers the official `stripe` client like Stripe: idempotency keys
 * (same key and parameters: the same object; other parameters: 400), Stripe's error shapes,
 * separate accounts per key, and webhook events signed so `stripe.webhooks.constructEvent`
 * accepts them, sent at once or held and released reordered, duplicated or late.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import t from 'tap';
import { parseForm, startStripeStandIn, type StandInEvent } from '../src/stripe-stand-in/index.js';

const SECRET = 'whsec_stand_in_test';
const received: Array<{ event?: Stripe.Event; error?: string }> = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      received.push({
        event: Stripe.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers['stripe-signature']), SECRET, 300),
      });
      res.writeHead(200).end();
    } catch (err) {
      received.push({ error: (err as Error).message });
      res.writeHead(400).end();
    }
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hook = { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, secret: SECRET };

const standIn = await startStripeStandIn({ webhook: hook });
t.teardown(async () => {
  await standIn.close();
  await new Promise((r) => receiver.close(r));
});
const stripe = new Stripe('sk_test_standin', standIn.clientOptions());

t.test('form bodies decode into Stripe’s nested params; prototype keys are dropped', async (t) => {
  t.same(parseForm('a=1&metadata[x]=y&line_items[0][price_data][unit_amount]=5&expand[0]=latest_charge&expand[1]=customer'), {
    a: '1',
    metadata: { x: 'y' },
    line_items: [{ price_data: { unit_amount: '5' } }],
    expand: ['latest_charge', 'customer'],
  });
  t.same(parseForm('e[]=a&e[]=b&q=a+b%21'), { e: ['a', 'b'], q: 'a b!' });
  const hostile = parseForm('__proto__[polluted]=1&constructor[prototype][x]=1&a[__proto__][b]=1');
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.notOk(Object.keys(hostile).includes('__proto__'));
  t.same(parseForm('bad[key=1&ok=2'), { ok: '2' }, 'a malformed key is skipped');
});

t.test('same idempotency key and params: the same object; other params: 400 idempotency_error', async (t) => {
  const key = `k-${Date.now()}`;
  const a = await stripe.customers.create({ email: 'a@example.com', metadata: { ref: '1' } }, { idempotencyKey: key });
  const b = await stripe.customers.create({ email: 'a@example.com', metadata: { ref: '1' } }, { idempotencyKey: key });
  t.equal(b.id, a.id);
  t.equal(b.lastResponse.headers['idempotent-replayed'], 'true');
  await t.rejects(stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: key }), {
    type: 'StripeIdempotencyError',
    statusCode: 400,
    message: /same parameters/,
  });
  const c = await stripe.customers.create({ email: 'a@example.com', metadata: { ref: '1' } }, { idempotencyKey: `${key}-2` });
  t.not(c.id, a.id);
  t.equal(standIn.ledger('sk_test_standin').customers.size >= 2, true);
});

t.test('a declined off-session charge is replayed as the same 402 for its key', async (t) => {
  const cus = await stripe.customers.create({});
  const pm = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: cus.id });
  const params = { amount: 500, currency: 'eur', customer: cus.id, payment_method: pm.id, confirm: true, off_session: true };
  const first = await stripe.paymentIntents
    .create(params, { idempotencyKey: 'decline-1' })
    .catch((e: Stripe.errors.StripeError) => e);
  const again = await stripe.paymentIntents
    .create(params, { idempotencyKey: 'decline-1' })
    .catch((e: Stripe.errors.StripeError) => e);
  t.match(first, { type: 'StripeCardError', code: 'card_declined', decline_code: 'generic_decline', statusCode: 402 });
  t.equal((again as Stripe.errors.StripeError).payment_intent?.id, (first as Stripe.errors.StripeError).payment_intent?.id);
  await t.rejects(stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: cus.id }), { code: 'card_declined' });
  const auth = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: cus.id });
  await t.rejects(stripe.paymentIntents.create({ ...params, payment_method: auth.id }), { code: 'authentication_required' });
});

t.test('Stripe’s errors for bad keys, unknown objects, refunds above the charge and unserved endpoints', async (t) => {
  await t.rejects(new Stripe('sk_live_nope', standIn.clientOptions()).customers.create({}), {
    type: 'StripeAuthenticationError',
    message: /Invalid API Key/,
  });
  await t.rejects(stripe.paymentIntents.retrieve('pi_missing'), { code: 'resource_missing', statusCode: 404 });
  await t.rejects(new Stripe('sk_test_other', standIn.clientOptions()).paymentIntents.retrieve('pi_missing'), {
    statusCode: 404,
    message: /No such payment_intent/,
  });
  const cus = await stripe.customers.create({});
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: cus.id });
  const pi = await stripe.paymentIntents.create({
    amount: 1000,
    currency: 'eur',
    customer: cus.id,
    payment_method: pm.id,
    confirm: true,
    off_session: true,
  });
  t.equal(pi.status, 'succeeded');
  await t.rejects(stripe.refunds.create({ payment_intent: pi.id, amount: 1001 }), { code: 'amount_too_large', param: 'amount' });
  const full = await stripe.refunds.create({ payment_intent: pi.id });
  t.equal(full.amount, 1000);
  await t.rejects(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }), { code: 'charge_already_refunded' });
  await t.rejects(stripe.subscriptions.list(), { statusCode: 404, message: /serves only what Hostplane uses/ });
  await t.rejects(stripe.customers.create({}, { stripeAccount: 'acct_1' }), { message: /Connect is not served/ });
  const other = new Stripe('sk_test_someone_else', standIn.clientOptions());
  await t.rejects(other.customers.retrieve(cus.id), { code: 'resource_missing' }, 'each key is its own account');
});

t.test('events are signed for stripe.webhooks.constructEvent and sent right after the request', async (t) => {
  received.length = 0;
  const cus = await stripe.customers.create({ email: 'hook@example.com' });
  await standIn.idle();
  const got = received.find(
    (r) => r.event?.type === 'customer.created' && (r.event.data.object as Stripe.Customer).id === cus.id,
  );
  t.ok(got, 'customer.created arrived and verified');
  t.same(
    received.filter((r) => r.error),
    [],
  );
});

t.test('held events are released reversed, duplicated, and late with an old signature', async (t) => {
  const held = await startStripeStandIn({ webhook: hook, delivery: 'manual' });
  t.teardown(() => held.close());
  const client = new Stripe('sk_test_held', held.clientOptions());
  await client.customers.create({ email: '1@example.com' });
  await client.customers.create({ email: '2@example.com' });
  const pending = held.pending();
  t.equal(pending.length, 2);
  received.length = 0;
  const sent = await held.release({ order: 'reverse', copies: 2 });
  t.same(
    sent.map((d) => d.eventId),
    [pending[1]!.id, pending[1]!.id, pending[0]!.id, pending[0]!.id],
  );
  t.ok(sent.every((d) => d.status === 200));
  t.equal(held.pending().length, 0);
  const late = await held.resend(pending[0]!.id, { signedAt: new Date(Date.now() - 600_000) });
  t.equal(late?.status, 400, 'a signature older than the tolerance is refused by the receiver');
  t.match(received.at(-1), { error: /tolerance/ });
  const kept = (e: StandInEvent) => e.type === 'customer.created';
  t.same(await held.release({ filter: kept }), [], 'nothing left to send');
});

t.test('Checkout asks for 3-D Secure for a card that always needs it; failing it keeps the session open', async (t) => {
  const cus = await stripe.customers.create({});
  const session = await stripe.checkout.sessions.create({
    mode: 'payment',
    customer: cus.id,
    line_items: [{ quantity: 2, price_data: { currency: 'eur', unit_amount: 500, product_data: { name: 'Hosting' } } }],
    success_url: 'http://127.0.0.1:9/ok',
  });
  const post = (path: string, body: string) =>
    fetch(`${standIn.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
  const step = await post(`/checkout/${session.id}`, 'card=4000002760003184');
  t.match(await step.text(), /Authenticate your payment[\s\S]*€10\.00/);
  const failed = await post(`/checkout/${session.id}/authenticate`, 'result=fail&card=4000002760003184');
  t.match(await failed.text(), /unable to authenticate/);
  t.equal((await stripe.checkout.sessions.retrieve(session.id)).status, 'open');
  const done = await post(`/checkout/${session.id}/authenticate`, 'result=complete&card=4000002760003184');
  t.equal(done.status, 303);
  const paid = await stripe.checkout.sessions.retrieve(session.id);
  t.match(paid, { status: 'complete', payment_status: 'paid', amount_total: 1000 });
});

t.test('a customer’s default payment method, and detaching a card', async (t) => {
  const cus = await stripe.customers.create({ email: 'cards@example.com' });
  const other = await stripe.customers.create({});
  const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: cus.id });
  const theirs = await stripe.paymentMethods.attach('pm_card_visa', { customer: other.id });
  const updated = await stripe.customers.update(cus.id, { invoice_settings: { default_payment_method: visa.id } });
  t.equal(updated.invoice_settings.default_payment_method, visa.id);
  await t.rejects(stripe.customers.update(cus.id, { invoice_settings: { default_payment_method: theirs.id } }), {
    statusCode: 400,
    message: /does not have a payment method with the ID/,
  });
  const detached = await stripe.paymentMethods.detach(visa.id);
  t.equal(detached.customer, null);
  t.equal(
    ((await stripe.customers.retrieve(cus.id)) as Stripe.Customer).invoice_settings.default_payment_method,
    null,
    'no longer the default',
  );
  t.same((await stripe.customers.listPaymentMethods(cus.id)).data, []);
  await t.rejects(stripe.paymentMethods.detach(visa.id), { statusCode: 400, message: /not attached/ });
  await t.rejects(stripe.paymentMethods.detach('pm_missing'), { statusCode: 404 });
  await stripe.customers.update(other.id, { invoice_settings: { default_payment_method: '' } });
  t.equal(((await stripe.customers.retrieve(other.id)) as Stripe.Customer).invoice_settings.default_payment_method, null);
});
