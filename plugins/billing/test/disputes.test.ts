/**
 * Disputes end to end (docs/decisions/0078): a customer pays on the Stripe stand-in's Checkout
 * page, the stand-in opens a dispute on the charge and sends Stripe's `charge.dispute.*` events,
 * signed, through a bridge to `/v1/billing/webhooks/stripe`. Events are released duplicated,
 * reversed and before the payment's own: the invoice is paid once and reversed once. The seller
 * gets a mail when the dispute opens and when it closes (received by a real SMTP server), and a
 * reversed invoice's dunning starts over without charging the disputed card.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import t from 'tap';
import { MailDelivery } from '@hostplane/core';
import type { Logger } from '@hostplane/sdk';
import { startTestHost } from '@hostplane/testing';
import { startStripeStandIn, type StandInEvent } from '@hostplane/testing/stripe-stand-in';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import stripe from '@hostplane/plugin-payment-stripe';
import { caller, makeUser, sqlOf, type TestUser } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const PLATFORM_SECRET = 'whsec_platform_disputes';
const RESELLER_SECRET = 'whsec_reseller_disputes';
const SELLER_MAIL = 'billing-desk@platform.example';

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

const drain = async () => {
  const drained = await host.drainJobs({ timeoutMs: 180_000 });
  const failed = drained.ran.filter((j) => j.outcome === 'failed');
  if (failed.length) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.error}`).join('; ')}`);
};

const admin = await makeUser(sql, 'super_admin');
const asAdmin = caller(host, admin);
// The platform's invoicing desk: where its dispute mails go.
{
  const res = await asAdmin.call('PUT', '/v1/billing/issuer', { name: 'Platform Hosting', replyTo: SELLER_MAIL });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
}

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
  (await sql('plugin_billing.invoices').where({ id }).first('status', 'amount_paid', 'paid_at')) as {
    status: string;
    amount_paid: string;
    paid_at: Date | null;
  };
const paymentsOf = (id: string) =>
  sql('plugin_billing.payments').where({ invoice_id: id }).orderBy('created_at').select('gateway', 'amount', 'reversed');
const mailsTo = async (email: string) => (await host.kernel.listOutbox({ to: email })).map((m) => m.tag);
const disputeEvents = (e: StandInEvent) => e.type.startsWith('charge.dispute.');
const paymentEvents = (e: StandInEvent) => ['payment_intent.succeeded', 'checkout.session.completed'].includes(e.type);

/** The customer pays the invoice on the stand-in's Checkout page; answers the PaymentIntent's id. */
async function payByCard(customer: TestUser, invoiceId: string): Promise<string> {
  const pay = await caller(host, customer).post(`/v1/invoices/${invoiceId}/pay`, { gateway: 'stripe' });
  if (pay.status !== 200) throw new Error(JSON.stringify(pay.body));
  const res = await fetch(pay.body.payment.actionUrl as string, {
    method: 'POST',
    body: 'card=4242424242424242',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`checkout answered ${res.status}`);
  const pi = standIn
    .pending()
    .filter((e) => e.type === 'payment_intent.succeeded')
    .map((e) => e.data.object)
    .find((o) => (o.metadata as Record<string, string>).invoice_id === invoiceId);
  if (!pi) throw new Error('no payment event');
  return pi.id;
}

t.test('the stand-in opens, moves and closes a dispute with Stripe’s events and shapes', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 900);
  const pi = await payByCard(customer, invoice);
  const dispute = standIn.openDispute(pi, { reason: 'product_not_received' });
  t.match(dispute, {
    id: /^du_/,
    object: 'dispute',
    amount: 900,
    currency: 'eur',
    charge: /^ch_/,
    payment_intent: pi,
    reason: 'product_not_received',
    status: 'needs_response',
    evidence_details: { has_evidence: false, submission_count: 0, due_by: Number },
  });
  t.throws(() => standIn.openDispute(pi), /already disputed/);
  standIn.updateDispute(dispute.id, 'under_review');
  t.throws(() => standIn.closeDispute(dispute.id, 'warning_closed'), /Only an inquiry/);
  standIn.closeDispute(dispute.id, 'won');
  t.throws(() => standIn.updateDispute(dispute.id, 'under_review'), /closed/);
  const types = standIn
    .pending()
    .filter((e) => e.type.startsWith('charge.dispute'))
    .map((e) => e.type);
  t.same(types, [
    'charge.dispute.created',
    'charge.dispute.funds_withdrawn',
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_reinstated',
  ]);
  const updated = standIn.pending().find((e) => e.type === 'charge.dispute.updated')!;
  t.same(updated.data.previous_attributes, { status: 'needs_response' });
  // The official client reads it back as Stripe's object.
  const { default: Stripe } = await import('stripe');
  const client = new Stripe('sk_test_platform', standIn.clientOptions());
  t.match(await client.disputes.retrieve(dispute.id), { id: dispute.id, status: 'won' });
  await standIn.release({ filter: (e) => !e.type.startsWith('charge.dispute') });
  await drain();
  await standIn.release();
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '900' }, 'a won dispute leaves the invoice paid');
});

t.test('a lost dispute reverses the payment once, whatever the copies and order; paying again pays once', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 2500);
  const pi = await payByCard(customer, invoice);
  await standIn.release({ filter: paymentEvents, copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '2500' });

  const dispute = standIn.openDispute(pi, { reason: 'fraudulent' });
  standIn.updateDispute(dispute.id, 'under_review');
  standIn.closeDispute(dispute.id, 'lost');
  const released = await standIn.release({ filter: disputeEvents, order: 'reverse', copies: 3 });
  t.ok(released.length >= 9 && released.every((d) => d.status === 200), 'every copy is answered 200');
  await drain();
  const after = await invoiceOf(invoice);
  t.match(after, { status: 'unpaid', amount_paid: '0', paid_at: null }, 'owed again (due 2026-12-19: not overdue yet)');
  t.same(await paymentsOf(invoice), [{ gateway: 'stripe', amount: '2500', reversed: '2500' }]);
  const rows = await sql('plugin_billing.disputes').where({ dispute_id: dispute.id });
  t.equal(rows.length, 1);
  t.match(rows[0], { status: 'lost', outcome: 'lost', reversed_amount: '2500', invoice_id: invoice });
  const reversals = await sql('hostplane.audit_log')
    .where({ action: 'billing.invoice.payment-reversed' })
    .andWhereRaw(`target_id = ?`, [invoice]);
  t.equal(reversals.length, 1, 'reversed once');

  // Seen on the invoice by the customer, its seller and an admin.
  for (const who of [caller(host, customer), asAdmin]) {
    const detail = await who.get(`/v1/invoices/${invoice}`);
    t.equal(detail.status, 200);
    t.match(detail.body.disputes, [
      {
        id: dispute.id,
        gateway: 'stripe',
        status: 'lost',
        outcome: 'lost',
        reason: 'fraudulent',
        amount: 2500,
        reversedAmount: 2500,
      },
    ]);
    t.match(detail.body.payments, [{ amount: 2500, reversed: 2500 }]);
    t.equal(detail.body.amountDue, 2500);
  }
  t.same((await asAdmin.get(`/v1/invoices/${invoice}`)).body.allowed.refund, false, 'nothing left to refund');

  // A replay and a late copy change nothing.
  const closed = standIn.events().find((e) => e.type === 'charge.dispute.closed' && e.data.object.id === dispute.id)!;
  await standIn.resend(closed.id);
  const code = await host.kernel.runCommand('billing', 'webhooks', ['replay', closed.id], { out: () => {}, err: () => {} });
  t.equal(code, 0);
  await drain();
  t.match(await invoiceOf(invoice), { status: 'unpaid', amount_paid: '0' });

  // The customer pays again (a new card payment): paid once more, the first stays reversed.
  const again = await caller(host, customer).post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  t.equal(again.status, 200, JSON.stringify(again.body));
  t.equal(again.body.payment.status, 'succeeded', 'the saved card, off-session');
  await standIn.release({ copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '2500' });
  t.same(
    (await paymentsOf(invoice)).map((p) => [p.amount, p.reversed]),
    [
      ['2500', '2500'],
      ['2500', '0'],
    ],
  );
});

t.test('dispute events before the payment’s own: paid once, then reversed once', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 1800);
  const pi = await payByCard(customer, invoice);
  const dispute = standIn.openDispute(pi, { amount: 800 });
  standIn.closeDispute(dispute.id, 'lost');
  await standIn.release({ filter: disputeEvents, copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'unpaid', amount_paid: '0' }, 'not paid yet: nothing to reverse');
  t.match(await sql('plugin_billing.disputes').where({ dispute_id: dispute.id }).first(), {
    outcome: 'lost',
    invoice_id: null,
    reversed_at: null,
  });
  await standIn.release({ order: 'shuffle', copies: 3 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'unpaid', amount_paid: '1000' }, 'paid 1800, 800 of it taken back');
  t.same(await paymentsOf(invoice), [{ gateway: 'stripe', amount: '1800', reversed: '800' }]);
  t.match(await sql('plugin_billing.disputes').where({ dispute_id: dispute.id }).first(), {
    invoice_id: invoice,
    reversed_amount: '800',
  });
});

t.test('an inquiry that escalates and is won, and one that closes: the invoice stays paid', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const first = await invoiceFor(customer.id, 1100);
  const firstPi = await payByCard(customer, first);
  await standIn.release({ filter: paymentEvents });
  await drain();
  const escalated = standIn.openDispute(firstPi, { inquiry: true, reason: 'unrecognized' });
  standIn.updateDispute(escalated.id, 'needs_response');
  standIn.updateDispute(escalated.id, 'under_review');
  await standIn.release({ filter: disputeEvents, order: 'reverse' });
  await drain();
  t.match(await sql('plugin_billing.disputes').where({ dispute_id: escalated.id }).first(), {
    status: 'under_review',
    outcome: 'open',
  });
  standIn.closeDispute(escalated.id, 'won');
  await standIn.release({ filter: disputeEvents });
  await drain();
  t.match(await invoiceOf(first), { status: 'paid', amount_paid: '1100' });
  t.match((await asAdmin.get(`/v1/invoices/${first}`)).body.disputes, [{ status: 'won', outcome: 'won', reversedAmount: 0 }]);

  const second = await invoiceFor(customer.id, 1200);
  const pay = await caller(host, customer).post(`/v1/invoices/${second}/pay`, { gateway: 'stripe' });
  await standIn.release({ filter: paymentEvents });
  await drain();
  const inquiry = standIn.openDispute(pay.body.payment.paymentId as string, { inquiry: true });
  standIn.closeDispute(inquiry.id, 'warning_closed');
  await standIn.release({ filter: disputeEvents, order: 'reverse', copies: 2 });
  await drain();
  t.match(await invoiceOf(second), { status: 'paid', amount_paid: '1200' });
  t.match((await asAdmin.get(`/v1/invoices/${second}`)).body.disputes, [{ status: 'warning_closed', outcome: 'closed' }]);
  await standIn.release();
  await drain();
});

t.test('the seller is mailed once when a dispute opens and once when it closes, over SMTP', async (t) => {
  const received: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => smtp.close(resolve)));
  const delivery = new MailDelivery(sql, pino({ level: 'silent' }) as unknown as Logger, {
    smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
    from: 'billing@platform.example',
  });
  t.teardown(() => delivery.stop());
  await delivery.deliverDue(); // what earlier tests queued
  received.length = 0;

  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 4200);
  const number = (await sql('plugin_billing.invoices').where({ id: invoice }).first('number')).number as string;
  const pi = await payByCard(customer, invoice);
  await standIn.release({ filter: paymentEvents });
  await drain();
  const dispute = standIn.openDispute(pi);
  await standIn.release({ filter: disputeEvents, copies: 2 });
  await drain();
  await delivery.deliverDue();
  const opened = received.filter((raw) => raw.includes(`Subject: Payment disputed: invoice ${number}`));
  t.equal(opened.length, 1, 'one mail for the opening');
  t.match(opened[0], new RegExp(`^To: ${SELLER_MAIL.replace(/\./g, '\\.')}\\r?$`, 'm'));

  standIn.closeDispute(dispute.id, 'lost');
  await standIn.release({ filter: disputeEvents, copies: 3 });
  await drain();
  await delivery.deliverDue();
  const closed = received.filter((raw) => raw.includes(`Subject: Dispute lost: invoice ${number}`));
  t.equal(closed.length, 1, 'one mail for the closing');
  t.match(closed[0], /42\.00 EUR/);
  t.notOk(
    (await mailsTo(customer.email)).some((m) => m.startsWith('billing.dispute')),
    'the customer gets no seller mail',
  );
});

t.test('a reseller’s dispute: its own account and URL, mails to the reseller, its invoice reversed', async (t) => {
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
      'secretKey=sk_test_rdisp',
      '--secret',
      `webhookSecret=${RESELLER_SECRET}`,
    ],
    io,
  );
  t.equal(code, 0, out.join('\n'));
  standIn.setWebhook({ url: `${bridgeUrl}/v1/billing/webhooks/stripe/${reseller.id}`, secret: RESELLER_SECRET }, 'sk_test_rdisp');
  t.teardown(() => standIn.setWebhook(undefined, 'sk_test_rdisp'));
  const customer = await makeUser(sql, 'customer', reseller);
  const invoice = await invoiceFor(customer.id, 3000);
  const pi = await payByCard(customer, invoice);
  await standIn.release({ filter: paymentEvents });
  await drain();
  t.equal((await invoiceOf(invoice)).status, 'paid');
  const dispute = standIn.openDispute(pi);
  standIn.closeDispute(dispute.id, 'lost');
  await standIn.release({ order: 'reverse', copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'unpaid', amount_paid: '0' });
  t.same(
    (await mailsTo(reseller.email)).filter((m) => m.startsWith('billing.dispute')).sort(),
    ['billing.dispute-closed', 'billing.dispute-opened'],
    'one of each',
  );
  const asReseller = caller(host, reseller);
  t.match((await asReseller.get(`/v1/invoices/${invoice}`)).body.disputes, [{ id: dispute.id, outcome: 'lost' }]);
});

t.test('after a lost dispute dunning starts over from that day and never charges the disputed card', async (t) => {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, 1500);
  const pi = await payByCard(customer, invoice);
  await standIn.release({ filter: paymentEvents });
  await drain();
  // The dispute is lost a month after the due date (2026-12-19).
  await host.clock.set('2027-01-20T10:00:00Z');
  const dispute = standIn.openDispute(pi);
  standIn.closeDispute(dispute.id, 'lost');
  await standIn.release();
  await drain();
  t.match(await invoiceOf(invoice), { status: 'overdue', amount_paid: '0' }, 'past its due date: overdue');
  const row = await sql('plugin_billing.invoices').where({ id: invoice }).first(sql.raw('dunning_from::text as d'));
  t.equal(row.d, '2027-01-20');
  const intents = () =>
    [...standIn.ledger('sk_test_platform').paymentIntents.values()].filter(
      (p) => p.metadata && (p.metadata as Record<string, string>).invoice_id === invoice,
    ).length;
  const before = intents();
  const run = async (date: string) => {
    await host.clock.set(`${date}T10:00:00Z`);
    await host.kernel.jobs.enqueue('billing:run', { date });
    await drain();
  };
  await run('2027-01-20');
  t.same(
    (await mailsTo(customer.email)).filter((m) => m === 'billing.invoice-reminder'),
    ['billing.invoice-reminder'],
    'the reminder of the day it is owed again',
  );
  await run('2027-01-25');
  t.equal(intents(), before, 'the disputed card is not charged by dunning');
  t.same(
    (await mailsTo(customer.email)).filter((m) => m === 'billing.invoice-overdue'),
    ['billing.invoice-overdue'],
    'three days on: overdue mail',
  );
  await standIn.release();
  await drain();
});

/** A new customer's invoice of `amount`, paid by card, then disputed and decided `decision`. */
async function decidedDispute(amount: number, decision: 'won' | 'lost') {
  const customer = await makeUser(sql, 'customer', admin);
  const invoice = await invoiceFor(customer.id, amount);
  const pi = await payByCard(customer, invoice);
  await standIn.release({ filter: paymentEvents });
  await drain();
  const dispute = standIn.openDispute(pi, { reason: 'fraudulent' });
  standIn.closeDispute(dispute.id, decision);
  await standIn.release({ filter: disputeEvents });
  await drain();
  return { customer, invoice, dispute };
}

t.test('a lost dispute won after all (pre-arbitration) pays the invoice again, once', async (t) => {
  const { invoice, dispute } = await decidedDispute(1500, 'lost');
  t.match(await invoiceOf(invoice), { status: 'unpaid', amount_paid: '0' }, 'lost: owed again');
  const closedMails = async () => (await mailsTo(SELLER_MAIL)).filter((m) => m === 'billing.dispute-closed').length;
  const before = await closedMails();

  standIn.redecideDispute(dispute.id, 'won');
  await standIn.release({ filter: disputeEvents, copies: 3 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '1500' }, 'paid again by the money that came back');
  t.same(await paymentsOf(invoice), [{ gateway: 'stripe', amount: '1500', reversed: '0' }], 'the payment counts in full');
  t.match(await sql('plugin_billing.disputes').where({ dispute_id: dispute.id }).first(), {
    status: 'won',
    outcome: 'won',
    reversed_amount: '1500',
    reinstated_amount: '1500',
    reinstated_at: Date,
  });
  const reinstated = await sql('hostplane.audit_log')
    .where({ action: 'billing.invoice.payment-reinstated' })
    .andWhereRaw(`target_id = ?`, [invoice]);
  t.equal(reinstated.length, 1, 'given back once, whatever the copies');
  t.match(reinstated[0].details, { amount: 1500, toInvoice: 1500, toCredit: 0 });
  t.equal(await closedMails(), before + 1, 'the seller is told of the new decision, once');
  t.match((await asAdmin.get(`/v1/invoices/${invoice}`)).body.disputes, [
    { outcome: 'won', reversedAmount: 1500, reinstatedAmount: 1500 },
  ]);

  // An older copy of the first decision, arriving late, does not flip it back.
  const lost = standIn.events().find((e) => e.type === 'charge.dispute.closed' && e.data.object.id === dispute.id)!;
  await standIn.resend(lost.id);
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '1500' }, 'the late copy changed nothing');
});

t.test('won after the customer paid again: the money comes back as credit; lost after all: reversed', async (t) => {
  const { customer, invoice, dispute } = await decidedDispute(2000, 'lost');
  // The customer pays again with the saved card.
  const again = await caller(host, customer).post(`/v1/invoices/${invoice}/pay`, { gateway: 'stripe' });
  t.equal(again.status, 200, JSON.stringify(again.body));
  await standIn.release();
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '2000' });

  standIn.redecideDispute(dispute.id, 'won');
  await standIn.release({ filter: disputeEvents, order: 'reverse', copies: 2 });
  await drain();
  t.match(await invoiceOf(invoice), { status: 'paid', amount_paid: '2000' }, 'paid once, not twice');
  const ledger = await sql('plugin_billing.credit_ledger').where({ customer_id: customer.id, kind: 'overpayment' });
  t.equal(ledger.length, 1, 'one credit entry');
  t.match(ledger[0], { amount: '2000', currency: 'EUR', invoice_id: invoice });
  t.match(await sql('plugin_billing.credit_balances').where({ customer_id: customer.id }).first(), {
    issuer: 'platform',
    balance: '2000',
  });

  // And a won dispute lost after all (the bank's pre-arbitration) is reversed like any lost one.
  // (Another customer: this one's credit would pay a new invoice on issue.)
  const { invoice: other, dispute: won } = await decidedDispute(700, 'won');
  t.match(await invoiceOf(other), { status: 'paid', amount_paid: '700' });
  standIn.redecideDispute(won.id, 'lost');
  await standIn.release({ filter: disputeEvents, copies: 2 });
  await drain();
  t.match(await invoiceOf(other), { status: 'unpaid', amount_paid: '0' }, 'owed again');
  t.same(await paymentsOf(other), [{ gateway: 'stripe', amount: '700', reversed: '700' }]);
});
