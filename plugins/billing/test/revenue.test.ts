/**
 * `GET /v1/billing/revenue`: each seller's figures from its own customers only, as a table of
 * cases over one set of invoices, payments and subscriptions spread over months, currencies,
 * states and two resellers' trees.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import { caller, makeUser, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';
import { lastMonths } from '../src/services/revenue.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, billing],
  clock: '2025-12-01T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, resellerB, customerA, customerB, techA } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const customerA2 = await makeUser(sql, 'customer', resellerA);

/**
 * An invoice issued on the clock's day (invoices never change once issued, so the clock is
 * moved instead; before the daily run's 02:15), settled as told.
 */
async function invoice(
  customer: TestUser,
  amount: number,
  opts: { currency?: string; paid?: { amount?: number; at: string }; void?: boolean } = {},
) {
  const res = await asAdmin.post('/v1/invoices', {
    customerId: customer.id,
    currency: opts.currency ?? 'EUR',
    lines: [{ description: 'Hosting', unitAmount: amount }],
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  const id = res.body.id as string;
  if (opts.paid) {
    const pay = await asAdmin.post(`/v1/invoices/${id}/mark-paid`, {
      reference: 'SEPA',
      ...(opts.paid.amount ? { amount: opts.paid.amount } : {}),
    });
    if (pay.status !== 200) throw new Error(JSON.stringify(pay.body));
    await sql('plugin_billing.payments').where({ invoice_id: id }).update({ created_at: opts.paid.at });
  }
  if (opts.void) await asAdmin.post(`/v1/invoices/${id}/void`, {});
  return id;
}
const on = (date: string) => host.clock.set(`${date}T01:00:00Z`);

// resellerA's customers, in EUR unless said; payment terms: 14 days.
await on('2025-12-15');
await invoice(customerA, 900, { paid: { at: '2025-12-20T00:00:00Z' } }); // 12 months ago: outside
await on('2026-01-15');
await invoice(customerA, 800); // 11 months ago: in the chart, and overdue
await on('2026-11-10');
await invoice(customerA, 1500, { paid: { at: '2026-11-20T12:00:00Z' } });
await on('2026-11-17');
await invoice(customerA2, 500, { paid: { amount: 200, at: '2026-12-02T00:00:00Z' } }); // due Dec 1: 300 overdue
await on('2026-12-05');
await invoice(customerA, 1000); // not yet due
await invoice(customerA, 2000, { paid: { at: '2026-12-03T10:00:00Z' } });
await invoice(customerA, 700, { void: true }); // void: left out
await invoice(customerA, 4000, { currency: 'USD' }); // another currency
// resellerA's own invoice from the platform: its cost, not its revenue.
await invoice(resellerA, 5000, { paid: { at: '2026-12-04T00:00:00Z' } });
// resellerB's customer.
await invoice(customerB, 3000, { paid: { at: '2026-12-04T00:00:00Z' } });

// Subscriptions: monthly 1999 and yearly 12000 (1000 a month) for A's customers; cancelled and
// another currency left out; B's for B.
const eur = (await asAdmin.post('/v1/packages', packageBody({ prices: { monthly: 1999, quarterly: 100, yearly: 12000 } }))).body
  .id as string;
const usd = (await asAdmin.post('/v1/packages', packageBody({ currency: 'USD', prices: { monthly: 999 } }))).body.id as string;
async function subscribe(customer: TestUser, packageId: string, billingCycle: string, status = 'active') {
  const res = await asAdmin.post('/v1/subscriptions', { customerId: customer.id, packageId, billingCycle });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  if (status !== 'active') await sql('plugin_accounts.subscriptions').where({ id: res.body.id }).update({ status });
}
await subscribe(customerA, eur, 'monthly');
await subscribe(customerA2, eur, 'yearly');
await subscribe(customerA2, eur, 'quarterly'); // 100 a quarter: 33.33 a month
await subscribe(customerA, eur, 'monthly', 'cancelled');
await subscribe(customerA, usd, 'monthly');
await subscribe(customerB, eur, 'monthly');
await subscribe(resellerA, eur, 'monthly'); // the reseller's own: its cost

interface Case {
  who: TestUser;
  query?: string;
  status: number;
  expect?: Record<string, unknown>;
}
const CASES: Record<string, Case> = {
  'reseller A, EUR by default (its most used)': {
    who: resellerA,
    status: 200,
    expect: {
      currency: 'EUR',
      month: '2026-12',
      invoicedThisMonth: 1000 + 2000,
      paidThisMonth: 2000 + 200,
      overdue: 300 + 800,
      monthlyRecurring: Math.round(1999 + 1000 + 100 / 3),
    },
  },
  'reseller A in USD': {
    who: resellerA,
    query: '?currency=USD',
    status: 200,
    expect: { currency: 'USD', invoicedThisMonth: 4000, paidThisMonth: 0, overdue: 0, monthlyRecurring: 999 },
  },
  'reseller A in a currency it never used': {
    who: resellerA,
    query: '?currency=JPY',
    status: 200,
    expect: { invoicedThisMonth: 0, paidThisMonth: 0, overdue: 0, monthlyRecurring: 0 },
  },
  'reseller B sees only its customer': {
    who: resellerB,
    status: 200,
    expect: { invoicedThisMonth: 3000, paidThisMonth: 3000, overdue: 0, monthlyRecurring: 1999 },
  },
  'an administrator sees every seller’s customers': {
    who: admin,
    query: '?currency=EUR',
    status: 200,
    expect: {
      invoicedThisMonth: 3000 + 5000 + 3000,
      paidThisMonth: 2200 + 5000 + 3000,
      overdue: 1100,
      monthlyRecurring: Math.round(1999 * 3 + 1000 + 100 / 3),
    },
  },
  'a customer may not': { who: customerA, status: 403 },
  'a technical user may not': { who: techA, status: 403 },
  'a currency in lower case': { who: resellerA, query: '?currency=eur', status: 400 },
  'no months': { who: resellerA, query: '?months=0', status: 400 },
  'too many months': { who: resellerA, query: '?months=1000', status: 400 },
  'an unknown parameter': { who: resellerA, query: '?issuer=platform', status: 400 },
  'a NUL byte': { who: resellerA, query: '?currency=EU%00', status: 400 },
};

for (const [name, c] of Object.entries(CASES)) {
  t.test(name, async (t) => {
    const res = await caller(host, c.who).get(`/v1/billing/revenue${c.query ?? ''}`);
    t.equal(res.status, c.status);
    if (c.expect) t.match(res.body, c.expect);
  });
}

t.test('twelve months, oldest first, each month’s invoiced and paid', async (t) => {
  const { items } = (await caller(host, resellerA).get('/v1/billing/revenue')).body as {
    items: Array<{ month: string; invoiced: number; paid: number; invoicedMajor: number }>;
  };
  t.same(
    items.map((i) => i.month),
    lastMonths('2026-12-05', 12),
  );
  t.equal(items[0]!.month, '2026-01');
  t.match(items[0], { invoiced: 800, paid: 0 }, 'eleven months ago is in');
  t.match(items[10], { month: '2026-11', invoiced: 2000, paid: 1500, invoicedMajor: 20 });
  t.match(items[11], { month: '2026-12', invoiced: 3000, paid: 2200 });
  t.equal(
    items.reduce((s, i) => s + i.invoiced, 0),
    800 + 2000 + 3000,
    'December 2025 is outside',
  );
});

t.test('lastMonths crosses years', async (t) => {
  t.same(lastMonths('2026-02-28', 3), ['2025-12', '2026-01', '2026-02']);
  t.same(lastMonths('2026-12-01', 1), ['2026-12']);
});

t.test('the revenue page is the sellers’', async (t) => {
  const ids = async (user: TestUser) =>
    ((await caller(host, user).get('/v1/panel/pages')).body.items as Array<{ pluginId: string; id: string }>)
      .filter((p) => p.pluginId === 'billing')
      .map((p) => p.id);
  t.ok((await ids(resellerA)).includes('revenue'));
  t.notOk((await ids(customerA)).includes('revenue'));
});
