/**
 * Proration on accounts' change-package, on a real kernel: an upgrade mid-period is invoiced
 * at once (credit for the old package's unused days, charge for the new one's), a downgrade
 * leaves credit that pays the next invoice, the same change prorated twice makes one invoice,
 * and a subscription never invoiced is not prorated.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, billing],
  clock: '2026-12-01T01:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin);
const asAdmin = caller(host, admin);
const pkg = async (name: string, monthly: number) =>
  (await asAdmin.post('/v1/packages', packageBody({ name, prices: { monthly } }))).body.id as string;
// 31 days in December: 100 and 200 a day.
const basic = await pkg('Basic', 3100);
const pro = await pkg('Pro', 6200);

async function run(date: string) {
  const code = await host.kernel.runCommand('billing', 'run', ['--date', date], { out: () => undefined, err: () => undefined });
  if (code !== 0) throw new Error('billing run failed');
  await drain();
}

async function drain() {
  const drained = await host.drainJobs();
  const failed = drained.ran.filter((j) => j.outcome === 'failed');
  if (failed.length) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.error}`).join('; ')}`);
  return drained;
}

const prorations = (subscriptionId: string) =>
  sql('plugin_billing.invoices')
    .where({ subscription_id: subscriptionId })
    .whereNull('period_start')
    .orderBy('created_at')
    .select('id', 'total', 'status', 'source_key');

t.test('upgrade mid-period: one invoice of the new package’s days less the old one’s', async (t) => {
  const customer = await makeUser(sql, 'customer', reseller);
  const sub = (
    await asAdmin.post('/v1/subscriptions', {
      customerId: customer.id,
      packageId: basic,
      billingCycle: 'monthly',
      nextDueDate: '2026-12-01',
    })
  ).body.id as string;
  await run('2026-12-01');
  await host.clock.set('2026-12-11T09:00:00Z');
  await drain();
  t.equal((await asAdmin.post(`/v1/subscriptions/${sub}/change-package`, { packageId: pro })).status, 200);
  await drain();
  const [upgrade] = await prorations(sub);
  t.match(upgrade, { total: '2100', status: 'unpaid' });
  const detail = (await caller(host, customer).get(`/v1/invoices/${upgrade!.id}`)).body;
  t.same(
    detail.lines.map((l: { kind: string; amount: number; description: string }) => [l.kind, l.amount, l.description]),
    [
      ['proration_credit', -2100, 'Unused time on Basic (2026-12-11 – 2026-12-31)'],
      ['proration_charge', 4200, 'Pro (2026-12-11 – 2026-12-31)'],
    ],
  );
  t.match(detail, { number: /^INV-2026-\d{5}$/, issueDate: '2026-12-11' });

  // The same change prorated again (a job run twice): still one invoice.
  await host.kernel.jobs.enqueue('billing:prorate', {
    subscriptionId: sub,
    fromPackageId: basic,
    toPackageId: pro,
    date: '2026-12-11',
    eventId: upgrade!.source_key.slice('prorate:'.length),
  });
  await drain();
  t.equal((await prorations(sub)).length, 1, 'one invoice per change');

  // Downgrade ten days later: 11 days of Pro back, 11 of Basic charged → 1100 of credit.
  await host.clock.set('2026-12-21T09:00:00Z');
  await drain();
  t.equal((await asAdmin.post(`/v1/subscriptions/${sub}/change-package`, { packageId: basic })).status, 200);
  await drain();
  const [, downgrade] = await prorations(sub);
  t.match(downgrade, { total: '-1100', status: 'paid' });
  t.match((await caller(host, customer).get(`/v1/billing/credits/${customer.id}`)).body, {
    balances: [{ currency: 'EUR', balance: 1100 }],
    ledger: [{ kind: 'proration', amount: 1100, invoiceId: downgrade!.id }],
  });

  // The next period's invoice (Basic again) is paid from that credit as far as it goes.
  await run('2027-01-01');
  const next = await sql('plugin_billing.invoices').where({ subscription_id: sub, period_start: '2027-01-01' }).first();
  t.match(next, { total: '3100', amount_paid: '1100', status: 'unpaid' });
});

t.test('a subscription never invoiced is not prorated', async (t) => {
  const customer = await makeUser(sql, 'customer', reseller);
  const sub = (
    await asAdmin.post('/v1/subscriptions', {
      customerId: customer.id,
      packageId: basic,
      billingCycle: 'monthly',
      nextDueDate: '2027-03-01',
    })
  ).body.id as string;
  t.equal((await asAdmin.post(`/v1/subscriptions/${sub}/change-package`, { packageId: pro })).status, 200);
  await drain();
  t.same(await prorations(sub), []);
});
