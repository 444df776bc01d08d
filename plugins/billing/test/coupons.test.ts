/**
 * Coupons on a real kernel and database: a reseller makes codes for its customers, a customer
 * redeems one on its subscription and the next invoices carry the discount (once or recurring);
 * unknown, foreign, expired, used-up and foreign-currency codes are clear 4xx errors, and
 * parallel redemptions never pass the limit.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
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

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin);
const rival = await makeUser(sql, 'reseller', admin);
const asAdmin = caller(host, admin);
const asReseller = caller(host, reseller);
const basic = (await asAdmin.post('/v1/packages', packageBody({ name: 'Basic', prices: { monthly: 1999 } }))).body.id as string;
const dollars = (await asAdmin.post('/v1/packages', packageBody({ name: 'Dollar', currency: 'USD', prices: { monthly: 1000 } })))
  .body.id as string;

async function subscription(packageId = basic, nextDueDate = '2026-12-05') {
  const customer = await makeUser(sql, 'customer', reseller);
  const res = await asAdmin.post('/v1/subscriptions', {
    customerId: customer.id,
    packageId,
    billingCycle: 'monthly',
    nextDueDate,
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return { customer, id: res.body.id as string };
}

async function coupon(body: Record<string, unknown>, as = asReseller) {
  const res = await as.post('/v1/billing/coupons', { duration: 'once', ...body });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string; code: string };
}

async function run(date: string) {
  const code = await host.kernel.runCommand('billing', 'run', ['--date', date], { out: () => undefined, err: () => undefined });
  if (code !== 0) throw new Error('billing run failed');
  const drained = await host.drainJobs();
  const failed = drained.ran.filter((j) => j.outcome === 'failed');
  if (failed.length) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.error}`).join('; ')}`);
}

const linesOf = async (subscriptionId: string) => {
  const rows = await sql('plugin_billing.invoices').where({ subscription_id: subscriptionId }).orderBy('period_start');
  const out = [];
  for (const inv of rows) {
    const lines = await sql('plugin_billing.invoice_lines').where({ invoice_id: inv.id }).orderBy('position');
    out.push({ total: Number(inv.total), lines: lines.map((l) => [l.kind, Number(l.amount)]) });
  }
  return out;
};

t.test('a once coupon takes its percent off the next invoice only; a recurring one off every invoice', async (t) => {
  await coupon({ code: 'welcome25', kind: 'percent', percentBp: 2500 });
  await coupon({ code: 'LOYAL', kind: 'fixed', amount: 300, currency: 'EUR', duration: 'recurring' });
  const once = await subscription();
  const always = await subscription();
  t.match(await caller(host, once.customer).post(`/v1/billing/subscriptions/${once.id}/coupon`, { code: 'Welcome25' }), {
    status: 200,
    body: { code: 'WELCOME25', redemptions: 1 },
  });
  t.equal(
    (await caller(host, always.customer).post(`/v1/billing/subscriptions/${always.id}/coupon`, { code: 'loyal' })).status,
    200,
  );
  await run('2026-12-05');
  await run('2027-01-05');
  t.same(await linesOf(once.id), [
    {
      total: 1499,
      lines: [
        ['package', 1999],
        ['discount', -500],
      ],
    },
    { total: 1999, lines: [['package', 1999]] },
  ]);
  t.same(await linesOf(always.id), [
    {
      total: 1699,
      lines: [
        ['package', 1999],
        ['discount', -300],
      ],
    },
    {
      total: 1699,
      lines: [
        ['package', 1999],
        ['discount', -300],
      ],
    },
  ]);
});

t.test('refusals: unknown, another seller’s, expired, used up, foreign currency, twice, bad codes', async (t) => {
  await coupon({ code: 'RIVALS', kind: 'percent', percentBp: 1000 }, caller(host, rival));
  await coupon({ code: 'OLD', kind: 'percent', percentBp: 1000, expiresAt: '2026-12-01T00:00:00Z' });
  await coupon({ code: 'ONLYONE', kind: 'percent', percentBp: 1000, maxRedemptions: 1 });
  await coupon({ code: 'FIVEEUR', kind: 'fixed', amount: 500, currency: 'EUR' });
  const a = await subscription();
  const b = await subscription();
  const usd = await subscription(dollars);
  const redeem = (s: { id: string; customer: Parameters<typeof caller>[1] }, code: string) =>
    caller(host, s.customer).post(`/v1/billing/subscriptions/${s.id}/coupon`, { code });
  t.match(await redeem(a, 'NOPE'), { status: 404, body: { error: { code: 'BILLING_ERR_COUPON_UNKNOWN' } } });
  t.match(
    await redeem(a, 'RIVALS'),
    { status: 404, body: { error: { code: 'BILLING_ERR_COUPON_UNKNOWN' } } },
    'another seller’s code reads as unknown',
  );
  t.match(await redeem(a, 'OLD'), { status: 410, body: { error: { code: 'BILLING_ERR_COUPON_EXPIRED' } } });
  t.match(await redeem(usd, 'FIVEEUR'), {
    status: 400,
    body: { error: { code: 'BILLING_ERR_COUPON_CURRENCY', details: { couponCurrency: 'EUR', currency: 'USD' } } },
  });
  t.equal((await redeem(a, 'ONLYONE')).status, 200);
  t.match(await redeem(b, 'ONLYONE'), { status: 409, body: { error: { code: 'BILLING_ERR_COUPON_USED_UP' } } });
  t.match(await redeem(a, 'FIVEEUR'), { status: 409, body: { error: { code: 'BILLING_ERR_COUPON_ALREADY_APPLIED' } } });
  for (const code of ['x', 'a\u0000bc', 'with space', 'é-accent', 'A'.repeat(33)])
    t.equal((await redeem(b, code)).status, 400, JSON.stringify(code));
  t.equal(
    (await caller(host, a.customer).post(`/v1/billing/subscriptions/${b.id}/coupon`, { code: 'FIVEEUR' })).status,
    404,
    'a foreign subscription',
  );
  t.equal((await caller(host, a.customer).del(`/v1/billing/subscriptions/${a.id}/coupon`)).status, 204);
  t.equal((await redeem(a, 'FIVEEUR')).status, 200, 'after removing one, another fits');
});

t.test('twenty parallel redemptions of a coupon limited to five: five win', async (t) => {
  await coupon({ code: 'RUSH', kind: 'percent', percentBp: 500, maxRedemptions: 5 });
  const subs = [];
  for (let i = 0; i < 20; i++) subs.push(await subscription());
  const results = await Promise.all(
    subs.map((s) => caller(host, s.customer).post(`/v1/billing/subscriptions/${s.id}/coupon`, { code: 'RUSH' })),
  );
  t.equal(results.filter((r) => r.status === 200).length, 5);
  t.ok(
    results.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.error.code === 'BILLING_ERR_COUPON_USED_UP'),
  );
  const [row] = await sql('plugin_billing.coupons').where({ issuer: reseller.id, code: 'RUSH' });
  t.equal(row.redemptions, 5);
  t.equal(Number((await sql('plugin_billing.subscription_coupons').where({ coupon_id: row.id }).count({ c: '*' }))[0]!.c), 5);
});

t.test('managing coupons: validation, duplicates, archive, who sees what', async (t) => {
  const made = await coupon({ code: 'SPRING', kind: 'percent', percentBp: 1500 });
  t.match(await asReseller.post('/v1/billing/coupons', { code: 'spring', kind: 'percent', percentBp: 10, duration: 'once' }), {
    status: 409,
    body: { error: { code: 'BILLING_ERR_COUPON_CODE_TAKEN' } },
  });
  t.equal(
    (await caller(host, rival).post('/v1/billing/coupons', { code: 'SPRING', kind: 'percent', percentBp: 10, duration: 'once' }))
      .status,
    201,
    'codes are per seller',
  );
  for (const body of [
    { code: 'P1X', kind: 'percent', duration: 'once' },
    { code: 'P2X', kind: 'percent', percentBp: 0, duration: 'once' },
    { code: 'P3X', kind: 'percent', percentBp: 10001, duration: 'once' },
    { code: 'P4X', kind: 'percent', percentBp: 100, amount: 5, duration: 'once' },
    { code: 'F1X', kind: 'fixed', amount: 500, duration: 'once' },
    { code: 'F2X', kind: 'fixed', amount: -5, currency: 'EUR', duration: 'once' },
    { code: 'F3X', kind: 'fixed', amount: 5, currency: 'eur', duration: 'once' },
    { code: 'D1X', kind: 'percent', percentBp: 100, duration: 'forever' },
    { code: 'M1X', kind: 'percent', percentBp: 100, duration: 'once', maxRedemptions: 0 },
    { code: 'E1X', kind: 'percent', percentBp: 100, duration: 'once', expiresAt: 'tomorrow' },
    { code: 'I1X', kind: 'percent', percentBp: 100, duration: 'once', issuer: 'platform' },
  ]) {
    const res = await asReseller.post('/v1/billing/coupons', body);
    t.ok([400, 403].includes(res.status), `${JSON.stringify(body)} → ${res.status}`);
  }
  t.equal((await caller(host, rival).get(`/v1/billing/coupons/${made.id}`)).status, 404);
  t.notOk((await caller(host, rival).get('/v1/billing/coupons')).body.items.some((c: { id: string }) => c.id === made.id));
  t.match(await asAdmin.get(`/v1/billing/coupons/${made.id}`), { status: 200, body: { issuer: reseller.id } });
  t.match(await asReseller.post(`/v1/billing/coupons/${made.id}/archive`), { status: 200, body: { archived: true } });
  const s = await subscription();
  t.equal(
    (await caller(host, s.customer).post(`/v1/billing/subscriptions/${s.id}/coupon`, { code: 'SPRING' })).status,
    404,
    'archived: unknown',
  );
  t.match(await asAdmin.post('/v1/billing/coupons', { code: 'PLATFORM10', kind: 'percent', percentBp: 1000, duration: 'once' }), {
    status: 201,
    body: { issuer: 'platform' },
  });
});
