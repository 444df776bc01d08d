/**
 * The next invoice of a subscription: route × role × own/foreign, and the preview equal to
 * what the run then issues (price, setup fee, coupon, tax), without writing anything.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import {
  caller,
  checkAuthorizationTable,
  makeUser,
  packageBody,
  sqlOf,
  twoTrees,
  type AuthorizationCase,
  type Which,
} from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, billing],
  clock: '2026-12-05T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const { admin, resellerA, customerA, customerB, techA, actors } = await twoTrees(sql);
const asAdmin = caller(host, admin);
const pkg = (await asAdmin.post('/v1/packages', packageBody({ name: 'Basic', prices: { monthly: 1999 }, setupFee: 500 }))).body
  .id as string;
const customerOf: Record<Which, string> = { own: customerA.id, foreign: customerB.id };

async function subscription(customerId: string, nextDueDate = '2026-12-20'): Promise<string> {
  const res = await asAdmin.post('/v1/subscriptions', { customerId, packageId: pkg, billingCycle: 'monthly', nextDueDate });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

const same = (code: number): [number, number] => [code, code];
const TABLE: Record<string, AuthorizationCase> = {
  'GET /v1/billing/subscriptions/{id}/next-invoice': {
    make: async (w) => ({ url: `/v1/billing/subscriptions/${await subscription(customerOf[w])}/next-invoice` }),
    // A technical user reads no subscription of its customer, as with invoices.
    expect: { super_admin: same(200), reseller: [200, 404], customer: [200, 404], technical_user: same(404) },
  },
  'GET /v1/billing/upcoming-invoices': {
    make: async () => ({ url: '/v1/billing/upcoming-invoices' }),
    expect: { super_admin: same(200), reseller: same(200), customer: same(200), technical_user: same(200) },
  },
};

checkAuthorizationTable(t, host, actors, /^\/v1\/billing\/(upcoming-invoices|subscriptions\/\{id\}\/next-invoice)/, TABLE);

async function run(date: string) {
  const code = await host.kernel.runCommand('billing', 'run', ['--date', date], { out: () => undefined, err: () => undefined });
  if (code !== 0) throw new Error('billing run failed');
  const drained = await host.drainJobs();
  const failed = drained.ran.filter((j) => j.outcome === 'failed');
  if (failed.length) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.error}`).join('; ')}`);
}

t.test('the preview is what the run issues: price, setup fee, coupon, tax; and it writes nothing', async (t) => {
  const seller = caller(host, resellerA);
  const carol = await makeUser(sql, 'customer', resellerA);
  t.equal((await seller.post('/v1/billing/tax-rates', { country: 'DE', name: 'MwSt 19 %', rateBp: 1900 })).status, 201);
  t.equal((await seller.call('PUT', `/v1/billing/profiles/${carol.id}`, { country: 'DE' })).status, 200);
  t.equal(
    (await seller.post('/v1/billing/coupons', { code: 'FIRST10', kind: 'percent', percentBp: 1000, duration: 'once' })).status,
    201,
  );
  const id = await subscription(carol.id, '2026-12-20');
  t.equal((await caller(host, carol).post(`/v1/billing/subscriptions/${id}/coupon`, { code: 'FIRST10' })).status, 200);
  const counts = async () =>
    Promise.all(
      ['invoices', 'invoice_sequences', 'subscription_coupons'].map(async (table) =>
        Number((await sql(`plugin_billing.${table}`).count({ c: '*' }).first())!.c),
      ),
    );
  const before = await counts();
  const preview = await caller(host, carol).get(`/v1/billing/subscriptions/${id}/next-invoice`);
  t.match(preview, {
    status: 200,
    body: {
      subscriptionId: id,
      packageName: 'Basic',
      currency: 'EUR',
      issueDate: '2026-12-20',
      dueDate: '2027-01-03',
      periodStart: '2026-12-20',
      periodEnd: '2027-01-19',
      lines: [
        { kind: 'package', amount: 1999, taxName: 'MwSt 19 %', taxRateBp: 1900 },
        { kind: 'setup_fee', amount: 500 },
        { kind: 'discount', amount: -250, description: /FIRST10/ },
      ],
      subtotal: 2249,
      taxTotal: 427,
      total: 2676,
      creditAvailable: 0,
      reason: null,
    },
  });
  t.same(await counts(), before, 'a preview takes no number and spends no coupon');
  t.match((await sql('plugin_billing.subscription_coupons').where({ subscription_id: id }).first()).consumed_invoice_id, null);

  await run('2026-12-20');
  const invoice = await sql('plugin_billing.invoices').where({ subscription_id: id }).first();
  const lines = await sql('plugin_billing.invoice_lines').where({ invoice_id: invoice.id }).orderBy('position');
  t.same(
    {
      issueDate: invoice.issue_date instanceof Date ? null : invoice.issue_date,
      subtotal: Number(invoice.subtotal),
      taxTotal: Number(invoice.tax_total),
      total: Number(invoice.total),
      lines: lines.map((l) => [l.kind, l.description, Number(l.amount)]),
    },
    {
      issueDate: invoice.issue_date instanceof Date ? null : '2026-12-20',
      subtotal: 2249,
      taxTotal: 427,
      total: 2676,
      lines: preview.body.lines.map((l: { kind: string; description: string; amount: number }) => [
        l.kind,
        l.description,
        l.amount,
      ]),
    },
    'the run issued what the preview said',
  );
  // The next one: the following month, no setup fee, the once coupon spent.
  t.match((await caller(host, carol).get(`/v1/billing/subscriptions/${id}/next-invoice`)).body, {
    issueDate: '2027-01-20',
    lines: [{ kind: 'package', amount: 1999 }],
    subtotal: 1999,
    taxTotal: 380,
    total: 2379,
  });
  t.equal((await caller(host, carol).get(`/v1/billing/subscriptions/${id}/next-invoice`)).body.lines.length, 1);
});

t.test('no invoice coming: said, not a 404; an overdue period is invoiced today; upcoming lists soonest first', async (t) => {
  const dave = await makeUser(sql, 'customer', resellerA);
  const late = await subscription(dave.id, '2026-11-01');
  const soon = await subscription(dave.id, '2026-12-10');
  t.match((await caller(host, dave).get(`/v1/billing/subscriptions/${late}/next-invoice`)).body, {
    issueDate: '2026-12-05',
    periodStart: '2026-11-01',
  });
  t.equal((await asAdmin.post(`/v1/subscriptions/${soon}/cancel`, {})).status, 200);
  t.match((await caller(host, dave).get(`/v1/billing/subscriptions/${soon}/next-invoice`)).body, {
    status: 'cancelled',
    issueDate: null,
    total: null,
    lines: [],
    reason: /cancelled/,
  });
  const noYearly = (await asAdmin.post('/v1/packages', packageBody({ name: 'Monthly only', prices: { monthly: 100 } }))).body.id;
  const yearly = await asAdmin.post('/v1/subscriptions', {
    customerId: dave.id,
    packageId: noYearly,
    billingCycle: 'yearly',
    nextDueDate: '2026-12-31',
  });
  if (yearly.status === 201)
    t.match((await caller(host, dave).get(`/v1/billing/subscriptions/${yearly.body.id}/next-invoice`)).body, {
      total: null,
      reason: /no yearly price/,
    });
  const upcoming = (await caller(host, dave).get('/v1/billing/upcoming-invoices')).body.items as Array<{
    subscriptionId: string;
  }>;
  t.equal(upcoming[0]!.subscriptionId, late, 'the overdue one first');
  t.notOk(
    upcoming.some((u) => u.subscriptionId === soon),
    'a cancelled subscription is not upcoming',
  );
  t.equal((await caller(host, dave).get('/v1/billing/upcoming-invoices?limit=0')).status, 400);
  t.equal((await caller(host, dave).get('/v1/billing/subscriptions/not-a-uuid/next-invoice')).status, 400);
  t.same((await caller(host, techA).get('/v1/billing/upcoming-invoices')).body.items, [], 'a technical user owns none');
  t.ok(
    ((await caller(host, resellerA).get('/v1/billing/upcoming-invoices')).body.items as Array<{ customerId: string }>).some(
      (u) => u.customerId === dave.id,
    ),
    'a reseller sees its customers’',
  );
});
