/**
 * Refunds and credit notes on a real kernel and database: a refund never exceeds what was paid
 * (not even ten at once), goes back through the gateway that took the payment when it refunds
 * and is recorded otherwise, makes a credit note with a gapless number of its own whose tax adds
 * up to the invoice's, moves the invoice to refunded / partially refunded, and can become credit
 * that pays the customer's next invoice by itself.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { caller, makeUser, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';
import { CardGateway, cardGatewayPlugin } from './support/card-gateway.js';

const card = new CardGateway();
const host = await startTestHost({
  plugins: [
    { definition: accounts, version: '0.1.0' },
    { definition: manual, version: '0.1.0' },
    cardGatewayPlugin(card),
    billing,
  ],
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin, { name: 'Refund Hosting' });
const otherReseller = await makeUser(sql, 'reseller', admin);
await sql('plugin_billing.issuers').insert({ issuer: reseller.id, name: 'Refund Hosting', country: 'DE' });
await sql('plugin_billing.tax_rates').insert({ issuer: reseller.id, country: 'DE', name: 'USt 19 %', rate_bp: 1900 });
const asReseller = caller(host, reseller);

async function customer() {
  const c = await makeUser(sql, 'customer', reseller);
  await sql('plugin_billing.billing_profiles').insert({ user_id: c.id, country: 'DE' });
  return c;
}

/** A one-off invoice of `net` + 19 % to `customerId`, issued now. */
async function invoice(customerId: string, net = 1000): Promise<{ id: string; total: number; number: string }> {
  const res = await asReseller.post('/v1/invoices', {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Migration', unitAmount: net }],
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body;
}

async function paidInvoice(customerId: string, net = 1000) {
  const inv = await invoice(customerId, net);
  const res = await asReseller.post(`/v1/invoices/${inv.id}/mark-paid`, { reference: 'SEPA' });
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return inv;
}

t.test('a full refund of a bank transfer: a credit note, recorded for the issuer to pay back, invoice refunded', async (t) => {
  const ada = await customer();
  const inv = await paidInvoice(ada.id);
  t.equal(inv.total, 1190);
  const res = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { reason: 'cancelled in the first week' });
  t.match(res, {
    status: 200,
    body: {
      invoice: { status: 'refunded', amountPaid: 1190, amountRefunded: 1190, amountDue: 0 },
      creditNote: { number: /^CN-2026-\d{5}$/, total: 1190 },
      refunds: [{ gateway: 'manual', amount: 1190, status: 'recorded' }],
    },
  });
  const detail = (await caller(host, ada).get(`/v1/invoices/${inv.id}`)).body;
  t.match(detail.creditNotes, [
    { total: 1190, subtotal: 1000, taxTotal: 190, settlement: 'refund', reason: 'cancelled in the first week' },
  ]);
  t.match(await asReseller.post(`/v1/invoices/${inv.id}/refund`, {}), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_NOTHING_TO_REFUND' } },
  });
  const frozen = await sql('plugin_billing.invoices').where({ id: inv.id }).first();
  t.match(frozen, { total: '1190', number: inv.number }, 'the invoice itself did not change');
  await t.rejects(
    sql('plugin_billing.credit_notes').where({ invoice_id: inv.id }).update({ total: 1 }),
    /cannot change/,
    'a credit note is never edited',
  );
});

t.test('partial refunds: never above what was paid, tax adding up to the invoice’s, numbers without gaps', async (t) => {
  const ada = await customer();
  const inv = await paidInvoice(ada.id, 999); // 999 + 189.81 → 1189
  t.equal(inv.total, 1189);
  const first = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 333 });
  t.match(first, { status: 200, body: { invoice: { status: 'partially_refunded', amountRefunded: 333 } } });
  t.match(await asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 857 }), {
    status: 400,
    body: { error: { code: 'BILLING_ERR_REFUND_EXCEEDS_PAID', details: { refundable: 856 } } },
  });
  for (const body of [{ amount: 0 }, { amount: -5 }, { amount: 1.5 }, { reason: 'nul\u0000' }, { to: 'bank' }, { extra: 1 }])
    t.equal((await asReseller.post(`/v1/invoices/${inv.id}/refund`, body)).status, 400, JSON.stringify(body));
  const second = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 333 });
  const third = await asReseller.post(`/v1/invoices/${inv.id}/refund`, {});
  t.match(third, { status: 200, body: { invoice: { status: 'refunded', amountRefunded: 1189 }, creditNote: { total: 523 } } });
  const notes = (await caller(host, ada).get(`/v1/invoices/${inv.id}`)).body.creditNotes as Array<{
    number: string;
    taxTotal: number;
    subtotal: number;
  }>;
  t.equal(
    notes.reduce((s, c) => s + c.taxTotal, 0),
    190,
    'three credit notes give back exactly the invoice’s tax',
  );
  const seq = notes.map((c) => Number(c.number.slice(-5)));
  t.same(seq, [seq[0], seq[0]! + 1, seq[0]! + 2], 'consecutive numbers');
  t.equal(second.body.creditNote.number, notes[1]!.number);
});

t.test('ten refunds at once never give back more than was paid', async (t) => {
  const ada = await customer();
  const inv = await paidInvoice(ada.id); // 1190
  const results = await Promise.all(
    Array.from({ length: 10 }, () => asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 500 })),
  );
  t.same(results.map((r) => r.status).sort(), [200, 200, 400, 400, 400, 400, 400, 400, 400, 400]);
  const [{ s }] = await sql('plugin_billing.refunds').where({ invoice_id: inv.id }).sum({ s: 'amount' });
  t.equal(Number(s), 1000);
  const numbers = await sql('plugin_billing.credit_notes')
    .where({ issuer: reseller.id, year: 2026 })
    .orderBy('sequence')
    .pluck('sequence');
  t.same(
    numbers,
    numbers.map((_n: number, i: number) => i + 1),
    'the refused ones took no number: no gap',
  );
});

t.test('a card payment is refunded through its gateway, once per key', async (t) => {
  const ada = await customer();
  const inv = await invoice(ada.id);
  const paid = await caller(host, ada).post(`/v1/invoices/${inv.id}/pay`, { gateway: 'card' });
  t.match(paid, { status: 200, body: { payment: { status: 'succeeded' }, invoice: { status: 'paid' } } });
  const res = await asReseller.post(`/v1/invoices/${inv.id}/refund`, { amount: 190 });
  t.match(res, { status: 200, body: { refunds: [{ gateway: 'card', amount: 190, status: 'succeeded' }] } });
  const refund = card.refunds.at(-1)!;
  t.match(refund, { paymentId: paid.body.payment.paymentId, money: { amount: 190, currency: 'EUR' } });
  t.match(refund.idempotencyKey, /^refund:[0-9a-f-]{36}:0:190$/);
  const detail = (await asReseller.get(`/v1/invoices/${inv.id}`)).body;
  t.match(detail.creditNotes[0].refunds, [{ gateway: 'card', status: 'succeeded', gatewayRefundId: refund.result.refundId }]);
});

t.test('refunded to credit: the next invoice is paid from the balance by itself', async (t) => {
  const ada = await customer();
  const inv = await paidInvoice(ada.id); // 1190
  t.match(await asReseller.post(`/v1/invoices/${inv.id}/refund`, { to: 'credit' }), {
    status: 200,
    body: { refunds: [{ gateway: 'manual', amount: 1190, status: 'credited' }] },
  });
  t.match((await caller(host, ada).get(`/v1/billing/credits/${ada.id}`)).body, {
    balances: [{ issuer: reseller.id, currency: 'EUR', balance: 1190 }],
    ledger: [{ kind: 'refund', amount: 1190, balanceAfter: 1190 }],
  });
  const next = await invoice(ada.id, 500); // 595: paid in full from 1190
  const nextRow = (await caller(host, ada).get(`/v1/invoices/${next.id}`)).body;
  t.match(nextRow, { status: 'paid', amountPaid: 595, payments: [{ gateway: 'credit', amount: 595 }] });
  const big = await invoice(ada.id, 1000); // 1190: 595 left on the balance pays half
  t.match((await caller(host, ada).get(`/v1/invoices/${big.id}`)).body, { status: 'unpaid', amountPaid: 595, amountDue: 595 });
  t.match((await caller(host, ada).get(`/v1/billing/credits/${ada.id}`)).body.balances, [{ balance: 0 }]);
  // Refunding what the credit paid puts it back on the balance.
  t.match(await asReseller.post(`/v1/invoices/${next.id}/refund`, {}), {
    status: 200,
    body: { refunds: [{ gateway: 'credit', amount: 595, status: 'credited' }] },
  });
  t.match((await caller(host, ada).get(`/v1/billing/credits/${ada.id}`)).body.balances, [{ balance: 595 }]);
});

t.test('refunds are the issuer’s: open invoices, other sellers and customers are refused', async (t) => {
  const ada = await customer();
  const open = await invoice(ada.id);
  t.match(await asReseller.post(`/v1/invoices/${open.id}/refund`, {}), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_NOTHING_TO_REFUND' } },
  });
  const inv = await paidInvoice(ada.id);
  t.equal((await caller(host, otherReseller).post(`/v1/invoices/${inv.id}/refund`, {})).status, 404);
  t.equal((await caller(host, ada).post(`/v1/invoices/${inv.id}/refund`, {})).status, 403);
  t.equal((await caller(host, admin).post(`/v1/invoices/${inv.id}/refund`, { amount: 1 })).status, 200, 'an admin may');
});

t.test('the CLI refunds', async (t) => {
  const ada = await customer();
  const inv = await paidInvoice(ada.id);
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  t.equal(
    await host.kernel.runCommand('billing', 'invoices refund', [inv.number, '--amount', '190', '--reason', 'goodwill'], io),
    0,
  );
  t.match(out.join('\n'), /credit note CN-2026-\d{5} of 1\.90 EUR; invoice .* is partially_refunded/);
  t.equal(await host.kernel.runCommand('billing', 'invoices refund', [inv.number, '--amount', '-1'], io), 2);
  t.equal(await host.kernel.runCommand('billing', 'invoices refund', [inv.number, '--to-credit'], io), 0);
  t.match(out.join('\n'), /is refunded/);
  t.match(out.join('\n'), /credited/);
});
