/**
 * Every invoice route × every role × own/foreign invoice → expected status (the table is
 * compared with the routes the host publishes), then what paying, marking paid and voiding
 * refuse: foreign ids, paid and void invoices, amounts above the balance, NUL bytes, races.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
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
  plugins: [{ definition: accounts, version: '0.1.0' }, { definition: manual, version: '0.1.0' }, billing],
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, customerA, customerB, actors } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const pkg = (await asAdmin.post('/v1/packages', packageBody({ prices: { monthly: 1999 } }))).body.id as string;
const customerOf: Record<Which, string> = { own: customerA.id, foreign: customerB.id };

const quiet = { out: () => undefined, err: () => undefined };
/**
 * Issued invoices of the customer on each side (issued by that side's reseller), made in one
 * run up front: every cell of the table takes a fresh one.
 */
const pool: Record<Which, string[]> = { own: [], foreign: [] };
async function fill(perSide: number): Promise<void> {
  const subs: Record<Which, string[]> = { own: [], foreign: [] };
  for (const which of ['own', 'foreign'] as const) {
    for (let i = 0; i < perSide; i++) {
      const sub = await asAdmin.post('/v1/subscriptions', {
        customerId: customerOf[which],
        packageId: pkg,
        billingCycle: 'monthly',
        nextDueDate: '2026-12-05',
      });
      if (sub.status !== 201) throw new Error(JSON.stringify(sub.body));
      subs[which].push(sub.body.id as string);
    }
  }
  if ((await host.kernel.runCommand('billing', 'run', ['--date', '2026-12-05'], quiet)) !== 0)
    throw new Error('billing run failed');
  await host.drainJobs();
  for (const which of ['own', 'foreign'] as const) {
    const rows = await sql('plugin_billing.invoices').whereIn('subscription_id', subs[which]).pluck('id');
    if (rows.length !== perSide) throw new Error(`made ${rows.length} of ${perSide} invoices`);
    pool[which].push(...(rows as string[]));
  }
}
async function invoice(which: Which): Promise<string> {
  if (pool[which].length === 0) await fill(30);
  return pool[which].pop()!;
}

/** A draft (made by an administrator) of the customer on each side, with one line. */
async function draft(which: Which): Promise<{ id: string; lineId: string }> {
  const made = await asAdmin.post('/v1/invoices/drafts', { customerId: customerOf[which], currency: 'EUR' });
  if (made.status !== 201) throw new Error(JSON.stringify(made.body));
  const id = made.body.id as string;
  const line = await asAdmin.post(`/v1/invoices/${id}/lines`, { description: 'Setup by hand', unitAmount: 5000 });
  if (line.status !== 201) throw new Error(JSON.stringify(line.body));
  const detail = await asAdmin.get(`/v1/invoices/${id}`);
  return { id, lineId: detail.body.lines[0].id as string };
}

const same = (code: number): [number, number] => [code, code];
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/invoices': {
    make: async () => ({ url: '/v1/invoices' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
  'POST /v1/invoices': {
    make: async (w) => ({
      url: '/v1/invoices',
      payload: { customerId: customerOf[w], currency: 'EUR', lines: [{ description: 'Domain transfer', unitAmount: 1200 }] },
    }),
    // A customer outside the caller's tree reads as an invalid customerId.
    expect: { super_admin: same(201), reseller: [201, 400], customer: same(403), technical_user: same(403) },
  },
  'GET /v1/invoices/{id}': {
    make: async (w) => ({ url: `/v1/invoices/${await invoice(w)}` }),
    // A technical user sees only what is its own: its customer's invoices are outside its subtree.
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'GET /v1/invoices/{id}/download': {
    make: async (w) => ({ url: `/v1/invoices/${await invoice(w)}/download` }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'GET /v1/invoices/{id}/credit-notes/{creditNoteId}/download': {
    make: async (w) => {
      const id = await invoice(w);
      const paid = await asAdmin.post(`/v1/invoices/${id}/mark-paid`, { reference: 'SEPA 2' });
      if (paid.status !== 200) throw new Error(JSON.stringify(paid.body));
      const refund = await asAdmin.post(`/v1/invoices/${id}/refund`, { amount: 100 });
      if (refund.status !== 200) throw new Error(JSON.stringify(refund.body));
      return { url: `/v1/invoices/${id}/credit-notes/${refund.body.creditNote.id}/download` };
    },
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'POST /v1/invoices/{id}/pay': {
    make: async (w) => ({ url: `/v1/invoices/${await invoice(w)}/pay`, payload: { gateway: 'manual' } }),
    // Only the invoice's customer pays it: its reseller sees it but may not.
    expect: { super_admin: same(200), reseller: [403, 404], customer: [200, 404], technical_user: same(403) },
  },
  'POST /v1/invoices/{id}/mark-paid': {
    make: async (w) => ({ url: `/v1/invoices/${await invoice(w)}/mark-paid`, payload: { reference: 'SEPA 4711' } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/invoices/{id}/refund': {
    make: async (w) => {
      const id = await invoice(w);
      const paid = await asAdmin.post(`/v1/invoices/${id}/mark-paid`, { reference: 'SEPA 1' });
      if (paid.status !== 200) throw new Error(JSON.stringify(paid.body));
      return { url: `/v1/invoices/${id}/refund`, payload: { amount: 100, reason: 'goodwill' } };
    },
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/invoices/drafts': {
    make: async (w) => ({ url: '/v1/invoices/drafts', payload: { customerId: customerOf[w], currency: 'EUR' } }),
    expect: { super_admin: same(201), reseller: [201, 400], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/invoices/{id}/lines': {
    make: async (w) => ({
      url: `/v1/invoices/${(await draft(w)).id}/lines`,
      payload: { description: 'Migration', quantity: 2, unitAmount: 2500 },
    }),
    // A draft is its issuer's: another seller's reads as unknown, a customer may not write one.
    expect: { super_admin: same(201), reseller: [201, 404], customer: same(403), technical_user: same(403) },
  },
  'DELETE /v1/invoices/{id}/lines/{lineId}': {
    make: async (w) => {
      const d = await draft(w);
      return { url: `/v1/invoices/${d.id}/lines/${d.lineId}` };
    },
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/invoices/{id}/issue': {
    make: async (w) => ({ url: `/v1/invoices/${(await draft(w)).id}/issue`, payload: {} }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
  'DELETE /v1/invoices/{id}': {
    make: async (w) => ({ url: `/v1/invoices/${(await draft(w)).id}` }),
    expect: { super_admin: same(204), reseller: [204, 404], customer: same(403), technical_user: same(403) },
  },
  'POST /v1/invoices/{id}/void': {
    make: async (w) => ({ url: `/v1/invoices/${await invoice(w)}/void`, payload: { reason: 'duplicate order' } }),
    expect: { super_admin: same(200), reseller: [200, 404], customer: same(403), technical_user: same(403) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/invoices/, TABLE);

t.test('lists show only the caller’s tree, and filter', async (t) => {
  const own = await invoice('own');
  const foreign = await invoice('foreign');
  const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);
  const mine = await caller(host, customerA).get('/v1/invoices?limit=100');
  t.ok(ids(mine).includes(own));
  t.notOk(ids(mine).includes(foreign));
  t.notOk(
    ids(await caller(host, resellerA).get(`/v1/invoices?customerId=${customerB.id}`)).includes(foreign),
    'a foreign customer filter finds nothing',
  );
  const overdue = await caller(host, customerA).get('/v1/invoices?overdue=true');
  t.equal(overdue.status, 200);
  t.same(ids(overdue), [], 'nothing is past due yet');
  t.equal((await caller(host, customerA).get('/v1/invoices?status=lost')).status, 400);
  t.equal((await caller(host, customerA).get('/v1/invoices?from=2026-13-01')).status, 400);
  t.equal((await caller(host, customerA).get('/v1/invoices/not-a-uuid')).status, 400);
});

t.test('marking paid: partial, whole, never twice, never above the balance', async (t) => {
  const id = await invoice('own');
  const asReseller = caller(host, resellerA);
  let res = await asReseller.post(`/v1/invoices/${id}/mark-paid`, { reference: 'part 1', amount: 999 });
  t.match(res, { status: 200, body: { status: 'unpaid', amountPaid: 999, amountDue: 1000 } });
  res = await asReseller.post(`/v1/invoices/${id}/mark-paid`, { reference: 'too much', amount: 1001 });
  t.match(res, { status: 400, body: { error: { code: 'BILLING_ERR_AMOUNT_EXCEEDS_BALANCE', details: { balance: 1000 } } } });
  for (const body of [
    { reference: 'nul\u0000byte' },
    { reference: '' },
    { reference: 'x', amount: 0 },
    { reference: 'x', amount: -5 },
    { reference: 'x', amount: 1.5 },
    {},
  ]) {
    t.equal((await asReseller.post(`/v1/invoices/${id}/mark-paid`, body)).status, 400, JSON.stringify(body));
  }
  res = await asReseller.post(`/v1/invoices/${id}/mark-paid`, { reference: 'part 2' });
  t.match(res, { status: 200, body: { status: 'paid', amountPaid: 1999, amountDue: 0 } });
  res = await asReseller.post(`/v1/invoices/${id}/mark-paid`, { reference: 'again' });
  t.match(res, { status: 409, body: { error: { code: 'BILLING_ERR_INVOICE_PAID' } } });
  res = await asReseller.post(`/v1/invoices/${id}/void`, {});
  t.match(
    res,
    { status: 409, body: { error: { code: 'BILLING_ERR_INVOICE_PAID' } } },
    'a paid invoice is not voided (credit notes correct it)',
  );
  const detail = (await caller(host, customerA).get(`/v1/invoices/${id}`)).body;
  t.same(
    detail.payments.map((p: { reference: string; amount: number }) => [p.reference, p.amount]),
    [
      ['part 1', 999],
      ['part 2', 1000],
    ],
  );
});

t.test('five marks at once: one payment, the others 409', async (t) => {
  const id = await invoice('own');
  const results = await Promise.all(
    Array.from({ length: 5 }, (_, i) => caller(host, resellerA).post(`/v1/invoices/${id}/mark-paid`, { reference: `race ${i}` })),
  );
  t.same(results.map((r) => r.status).sort(), [200, 409, 409, 409, 409]);
  t.equal(Number((await sql('plugin_billing.payments').where({ invoice_id: id }).count({ c: '*' }))[0]!.c), 1);
});

t.test('paying: through the bank transfer gateway, idempotent; void and unknown methods refused', async (t) => {
  const id = await invoice('own');
  const asCustomer = caller(host, customerA);
  const first = await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'manual' });
  t.match(first, {
    status: 200,
    body: { payment: { status: 'pending', instructions: /INV-2026-/ }, invoice: { status: 'unpaid' } },
  });
  const again = await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'manual' });
  t.equal(again.body.payment.paymentId, first.body.payment.paymentId, 'same balance, same payment');
  t.match(await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'stripe' }), {
    status: 400,
    body: { error: { code: 'BILLING_ERR_GATEWAY_UNKNOWN' } },
  });
  t.equal((await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'Manual\u0000' })).status, 400);
  t.equal((await asCustomer.post(`/v1/invoices/${id}/pay`, {})).status, 400);
  t.match(await caller(host, resellerA).post(`/v1/invoices/${id}/void`, { reason: 'ordered twice' }), {
    status: 200,
    body: { status: 'void', voidReason: 'ordered twice', amountDue: 0 },
  });
  t.match(await asCustomer.post(`/v1/invoices/${id}/pay`, { gateway: 'manual' }), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_INVOICE_VOID' } },
  });
  t.match(await caller(host, resellerA).post(`/v1/invoices/${id}/mark-paid`, { reference: 'late' }), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_INVOICE_VOID' } },
  });
  t.match(await caller(host, resellerA).post(`/v1/invoices/${id}/void`, {}), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_INVOICE_VOID' } },
  });
  const number = (await sql('plugin_billing.invoices').where({ id }).first('number')).number;
  t.ok(number, 'a void invoice keeps its number: no gap');
});

t.test('the CLI lists, shows, marks paid and voids', async (t) => {
  const id = await invoice('own');
  const other = await invoice('own');
  const run = async (name: string, args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await host.kernel.runCommand('billing', `invoices ${name}`, args, {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const { number } = await sql('plugin_billing.invoices').where({ id }).first('number');
  t.match(await run('list', ['--status', 'unpaid', '--limit', '1000']), { code: 0, out: new RegExp(number) });
  t.match(await run('list', ['--customer', customerA.email, '--json', '--limit', '1000']), { code: 0, out: new RegExp(id) });
  t.match(await run('show', [id]), { code: 0, out: /19\.99 EUR/ });
  t.match(await run('mark-paid', [id, '--reference', 'SEPA 1']), { code: 0, out: /is paid/ });
  t.match(await run('mark-paid', [other]), { code: 2, err: /--reference is required/ });
  t.match(await run('void', [other, '--reason', 'test']), { code: 0, out: /is void/ });
  t.equal((await run('list', ['--status', 'lost'])).code, 2);
  await t.rejects(run('show', ['00000000-0000-0000-0000-000000000001']), { code: 'BILLING_ERR_INVOICE_NOT_FOUND' });
});

t.test('a one-off invoice of manual lines: quantities, the issuer’s sequence, and bad lines refused', async (t) => {
  const asReseller = caller(host, resellerA);
  const res = await asReseller.post('/v1/invoices', {
    customerId: customerA.id,
    currency: 'EUR',
    lines: [
      { description: 'Migration of 3 sites', quantity: 3, unitAmount: 2500 },
      { description: 'Domain transfer', unitAmount: 1200 },
    ],
  });
  t.match(res, {
    status: 201,
    body: { status: 'unpaid', total: 8700, subtotal: 8700, customerId: customerA.id, subscriptionId: null },
  });
  t.match(res.body.number, /^INV-2026-\d{5}$/);
  const detail = (await caller(host, customerA).get(`/v1/invoices/${res.body.id}`)).body;
  t.same(
    detail.lines.map((l: { kind: string; quantity: number; unitAmount: number; amount: number }) => [
      l.kind,
      l.quantity,
      l.unitAmount,
      l.amount,
    ]),
    [
      ['manual', 3, 2500, 7500],
      ['manual', 1, 1200, 1200],
    ],
  );
  const numbers = (await sql('plugin_billing.invoices')
    .where({ issuer: resellerA.id, year: 2026 })
    .orderBy('sequence')
    .pluck('sequence')) as number[];
  t.ok(
    numbers.every((n, i) => n === i + 1),
    'one sequence with the recurring invoices, no gap',
  );
  const line = { description: 'x', unitAmount: 100 };
  for (const body of [
    { customerId: customerA.id, currency: 'EUR', lines: [{ ...line, unitAmount: -100 }] },
    { customerId: customerA.id, currency: 'EUR', lines: [{ ...line, unitAmount: 1.5 }] },
    { customerId: customerA.id, currency: 'EUR', lines: [{ ...line, quantity: 0 }] },
    { customerId: customerA.id, currency: 'eur', lines: [line] },
    { customerId: customerA.id, currency: 'EUR', lines: [] },
    { customerId: customerA.id, currency: 'EUR', lines: Array(101).fill(line) },
    { customerId: customerA.id, currency: 'EUR', lines: [{ ...line, description: 'nul\u0000' }] },
    { customerId: 'not-a-uuid', currency: 'EUR', lines: [line] },
    { customerId: '00000000-0000-0000-0000-000000000000', currency: 'EUR', lines: [line] },
    { customerId: customerA.id, currency: 'EUR', lines: [line], extra: true },
  ]) {
    const bad = await asReseller.post('/v1/invoices', body);
    t.equal(bad.status, 400, JSON.stringify(body).slice(0, 120));
  }
  t.match(await asReseller.post('/v1/invoices', { customerId: resellerA.id, currency: 'EUR', lines: [line] }), {
    status: 403,
    body: { error: { code: 'BILLING_ERR_NOT_ISSUER' } },
  });
});
