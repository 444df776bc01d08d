/**
 * Draft invoices written by hand (services/drafts.ts): a reseller starts one, adds and removes
 * lines, issues it (number, tax and parties taken then) or discards it (no gap in the numbers);
 * its customer never sees a draft; an issued invoice refuses every draft change; bad input is a
 * 4xx with a code.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { caller, makeUser, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, { definition: manual, version: '0.1.0' }, billing],
  clock: '2026-12-05T10:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin);
const customer = await makeUser(sql, 'customer', reseller);
const asReseller = caller(host, reseller);
const asCustomer = caller(host, customer);
// The reseller charges 20 % in Austria; the customer is there.
for (const res of [
  await asReseller.call('PUT', '/v1/billing/issuer', { name: 'Resold', country: 'AT', numberPrefix: 'RS-' }),
  await asReseller.post('/v1/billing/tax-rates', { country: 'AT', name: 'USt', rateBp: 2000 }),
  await asCustomer.call('PUT', '/v1/billing/profile', { country: 'AT', address: 'Wien' }),
])
  if (res.status >= 300) throw new Error(JSON.stringify(res.body));

const code = (res: { body: { error?: { code: string } } }) => res.body.error?.code;

t.test('a reseller writes a draft, its customer does not see it, issuing takes number and tax', async (t) => {
  const made = await asReseller.post('/v1/invoices/drafts', { customerId: customer.id, currency: 'EUR' });
  t.match(made, { status: 201, body: { status: 'draft', number: null, total: 0, issuer: reseller.id } });
  const id = made.body.id as string;
  t.equal((await asCustomer.get(`/v1/invoices/${id}`)).status, 404, 'the customer cannot read a draft');
  t.notOk(
    (await asCustomer.get('/v1/invoices?limit=100')).body.items.some((i: { id: string }) => i.id === id),
    'nor list it',
  );
  t.equal((await asReseller.post(`/v1/invoices/${id}/issue`, {})).status, 400, 'an empty draft is not issued');

  t.equal(
    (await asReseller.post(`/v1/invoices/${id}/lines`, { description: 'Migration', quantity: 2, unitAmount: 2500 })).status,
    201,
  );
  t.equal((await asReseller.post(`/v1/invoices/${id}/lines`, { description: 'Typo line', unitAmount: 999 })).status, 201);
  t.equal((await asReseller.post(`/v1/invoices/${id}/lines`, { description: 'Support hour', unitAmount: 6000 })).status, 201);
  let detail = (await asReseller.get(`/v1/invoices/${id}`)).body;
  t.same(
    detail.lines.map((l: { description: string }) => l.description),
    ['Migration', 'Typo line', 'Support hour'],
  );
  t.match(detail.allowed, { edit: true, void: false, markPaid: false, pay: [] }, 'a draft is edited, not paid or voided');
  const typo = detail.lines[1].id as string;
  t.equal((await asReseller.call('DELETE', `/v1/invoices/${id}/lines/${typo}`)).status, 200);
  t.equal(code(await asReseller.call('DELETE', `/v1/invoices/${id}/lines/${typo}`)), 'BILLING_ERR_LINE_NOT_FOUND');

  const issued = await asReseller.post(`/v1/invoices/${id}/issue`, {});
  t.match(issued, {
    status: 200,
    body: { status: 'unpaid', number: 'RS-2026-00001', subtotal: 11000, taxTotal: 2200, total: 13200, dueDate: '2026-12-19' },
  });
  detail = (await asCustomer.get(`/v1/invoices/${id}`)).body;
  t.match(detail.lines, [
    { description: 'Migration', quantity: 2, unitAmount: 2500, amount: 5000, taxName: 'USt', taxRateBp: 2000 },
    { description: 'Support hour', amount: 6000 },
  ]);
  t.match(detail.allowed, { edit: false });
  await host.drainJobs({ timeoutMs: 180_000 });
  t.ok(
    (await host.kernel.listOutbox({ to: customer.email })).some((m) => m.tag === 'billing.invoice-issued'),
    'the invoice mail (with its PDF) goes out like any issued invoice’s',
  );

  // Issued: frozen.
  for (const res of [
    await asReseller.post(`/v1/invoices/${id}/lines`, { description: 'Late', unitAmount: 1 }),
    await asReseller.call('DELETE', `/v1/invoices/${id}/lines/${detail.lines[0].id as string}`),
    await asReseller.post(`/v1/invoices/${id}/issue`, {}),
    await asReseller.call('DELETE', `/v1/invoices/${id}`),
  ]) {
    t.match(res, { status: 409, body: { error: { code: 'BILLING_ERR_NOT_DRAFT' } } });
  }
});

t.test('a discarded draft leaves no gap in the numbers; a draft is never voided', async (t) => {
  const first = (await asReseller.post('/v1/invoices/drafts', { customerId: customer.id, currency: 'EUR' })).body.id as string;
  await asReseller.post(`/v1/invoices/${first}/lines`, { description: 'Thrown away', unitAmount: 100 });
  t.match(await asReseller.post(`/v1/invoices/${first}/void`, {}), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_NOT_ISSUED' } },
  });
  t.equal((await asReseller.call('DELETE', `/v1/invoices/${first}`)).status, 204);
  t.equal((await asReseller.get(`/v1/invoices/${first}`)).status, 404, 'gone');
  const second = (await asReseller.post('/v1/invoices/drafts', { customerId: customer.id, currency: 'EUR' })).body.id as string;
  await asReseller.post(`/v1/invoices/${second}/lines`, { description: 'Kept', unitAmount: 100 });
  t.match(await asReseller.post(`/v1/invoices/${second}/issue`, {}), { status: 200, body: { number: 'RS-2026-00002' } });
});

t.test('bad input and other sellers’ drafts', async (t) => {
  const other = await makeUser(sql, 'reseller', admin);
  const otherCustomer = await makeUser(sql, 'customer', other);
  t.match(await asReseller.post('/v1/invoices/drafts', { customerId: otherCustomer.id, currency: 'EUR' }), {
    status: 400,
    body: { error: { code: 'BILLING_ERR_CUSTOMER_INVALID' } },
  });
  const theirs = (await caller(host, other).post('/v1/invoices/drafts', { customerId: otherCustomer.id, currency: 'EUR' })).body
    .id as string;
  t.equal((await asReseller.post(`/v1/invoices/${theirs}/lines`, { description: 'x', unitAmount: 1 })).status, 404);
  const id = (await asReseller.post('/v1/invoices/drafts', { customerId: customer.id, currency: 'EUR' })).body.id as string;
  for (const body of [
    { description: 'neg', unitAmount: -1 },
    { description: '', unitAmount: 1 },
    { description: 'nul\u0000', unitAmount: 1 },
    { description: 'zero qty', quantity: 0, unitAmount: 1 },
    { description: 'huge', unitAmount: 1_000_000_001 },
    { unitAmount: 1 },
    { description: 'extra', unitAmount: 1, tax: 0 },
  ]) {
    t.equal((await asReseller.post(`/v1/invoices/${id}/lines`, body)).status, 400, JSON.stringify(body));
  }
  t.equal((await asReseller.post('/v1/invoices/drafts', { customerId: customer.id, currency: 'euro' })).status, 400);
  t.equal((await asReseller.call('DELETE', `/v1/invoices/${id}/lines/not-a-uuid`)).status, 400);
  t.equal((await asReseller.get(`/v1/invoices/${id}`)).body.lines.length, 0, 'nothing half-written');
  // A hundred lines at most, also when added at once.
  const results = await Promise.all(
    Array.from({ length: 105 }, (_, i) => asReseller.post(`/v1/invoices/${id}/lines`, { description: `l${i}`, unitAmount: 1 })),
  );
  t.equal(results.filter((r) => r.status === 201).length, 100);
  t.ok(results.filter((r) => r.status !== 201).every((r) => code(r) === 'BILLING_ERR_DRAFT_FULL'));
});
