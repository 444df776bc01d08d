/**
 * A dunning timeline on the testing kit's clock, one day at a time (the daily run's schedule
 * fires as the clock passes 02:15): reminders before, on and after the due date, payment
 * retries with a saved card that is declined, suspension through accounts after 14 days
 * overdue (reason billing, not liftable by the reseller), unsuspension when the customer pays;
 * a retry that succeeds settles the invoice by itself; termination once configured.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';
import { daysBetween, dueSteps, type DunningPolicy } from '../src/services/dunning.js';
import { CardGateway, cardGatewayPlugin } from './support/card-gateway.js';

const card = new CardGateway();
const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, cardGatewayPlugin(card), billing],
  clock: '2026-12-01T00:00:00Z',
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin, { name: 'Dunning Hosting' });
const asAdmin = caller(host, admin);
const pkg = (await asAdmin.post('/v1/packages', packageBody({ name: 'Basic', prices: { monthly: 1999 } }))).body.id as string;

/** Customers with a saved card at the test gateway, subscribed from 2026-12-01 (invoice due 12-15). */
async function customerWithCard() {
  const customer = await makeUser(sql, 'customer', reseller);
  await sql('plugin_billing.gateway_customers').insert({
    user_id: customer.id,
    issuer: reseller.id,
    gateway: 'card',
    customer_ref: `cus_${customer.id}`,
  });
  const sub = await asAdmin.post('/v1/subscriptions', {
    customerId: customer.id,
    packageId: pkg,
    billingCycle: 'monthly',
    nextDueDate: '2026-12-01',
  });
  if (sub.status !== 201) throw new Error(JSON.stringify(sub.body));
  return { customer, subscriptionId: sub.body.id as string };
}

/** Move to 02:16 of `date` (the run fires at 02:15) and let the workers finish. */
async function day(date: string) {
  await host.clock.set(`${date}T02:16:00Z`);
  const drained = await host.drainJobs();
  const failed = drained.ran.filter((j) => j.outcome === 'failed');
  if (failed.length) throw new Error(`jobs failed: ${failed.map((j) => `${j.name}: ${j.error}`).join('; ')}`);
}

const subscription = async (id: string) => (await asAdmin.get(`/v1/subscriptions/${id}`)).body;
const mailsTo = async (email: string) => (await host.kernel.listOutbox({ to: email })).map((m) => m.tag);

t.test('due steps: the latest reminder and retry day reached, suspension and termination from their day', async (t) => {
  const policy: DunningPolicy = {
    retryDays: [1, 3, 5, 7],
    reminderDays: [-3, 0, 3, 7],
    suspendAfterDays: 14,
    terminateAfterDays: 0,
  };
  const cases: Array<[number, string[]]> = [
    [-5, []],
    [-3, ['reminder:-3']],
    [-1, ['reminder:-3']],
    [0, ['reminder:0']],
    [1, ['reminder:0', 'retry:1']],
    [4, ['reminder:3', 'retry:3']],
    [14, ['reminder:7', 'retry:7', 'suspend:14']],
    [400, ['reminder:7', 'retry:7', 'suspend:14']],
  ];
  for (const [days, want] of cases) t.same(dueSteps(policy, days), want, `day ${days}`);
  t.same(dueSteps({ ...policy, suspendAfterDays: 0, terminateAfterDays: 30 }, 30), ['reminder:7', 'retry:7', 'terminate:30']);
  t.equal(daysBetween('2026-12-15', '2026-12-29'), 14);
  t.equal(daysBetween('2026-12-15', '2026-12-12'), -3);
});

t.test('reminders, declined retries, suspension after 14 days, unsuspension on payment', async (t) => {
  card.declining = true;
  const { customer, subscriptionId } = await customerWithCard();
  await day('2026-12-01');
  const invoice = await sql('plugin_billing.invoices').where({ subscription_id: subscriptionId }).first();
  t.match(invoice, { status: 'unpaid', due_date: new Date('2026-12-15T00:00:00Z') });
  await day('2026-12-11');
  t.same(await mailsTo(customer.email), ['billing.invoice-issued'], 'nothing four days before');
  await day('2026-12-12');
  t.same((await mailsTo(customer.email)).filter((m) => m === 'billing.invoice-reminder').length, 1, 'three days before');
  await day('2026-12-15');
  t.same((await mailsTo(customer.email)).filter((m) => m === 'billing.invoice-reminder').length, 2, 'on the due date');
  await day('2026-12-16');
  const tries = () => card.charges.filter((c) => c.invoiceId === invoice.id).map((c) => c.idempotencyKey.split(':')[2]);
  t.same(tries(), ['retry'], 'the first retry, a day after');
  t.equal((await subscription(subscriptionId)).status, 'active');
  for (const d of ['2026-12-17', '2026-12-18', '2026-12-19', '2026-12-20', '2026-12-21', '2026-12-22', '2026-12-28'])
    await day(d);
  t.same(
    card.charges.filter((c) => c.invoiceId === invoice.id).map((c) => c.idempotencyKey.split(':').slice(2, 4).join(':')),
    ['retry:1', 'retry:3', 'retry:5', 'retry:7'],
    'retried on days 1, 3, 5 and 7, each once',
  );
  t.same((await mailsTo(customer.email)).filter((m) => m === 'billing.invoice-overdue').length, 2, 'days 3 and 7');
  t.equal((await subscription(subscriptionId)).status, 'active', 'not yet: 13 days overdue');
  await day('2026-12-29');
  t.match(await subscription(subscriptionId), { status: 'suspended', suspendReason: 'billing', suspendedBy: 'platform' });
  t.match(await caller(host, reseller).post(`/v1/subscriptions/${subscriptionId}/unsuspend`, {}), {
    status: 403,
    body: { error: { code: 'ACCOUNTS_ERR_SUSPENDED_ABOVE' } },
  });
  await day('2026-12-30');
  t.equal((await subscription(subscriptionId)).status, 'suspended', 'stays suspended');
  card.declining = false;
  const paid = await caller(host, customer).post(`/v1/invoices/${invoice.id}/pay`, { gateway: 'card' });
  t.match(paid, { status: 200, body: { invoice: { status: 'paid' } } });
  t.match(await subscription(subscriptionId), { status: 'active', suspendReason: null });
  const steps = await sql('plugin_billing.dunning_steps').where({ invoice_id: invoice.id }).orderBy('created_at').pluck('step');
  t.same(steps, [
    'reminder:-3',
    'reminder:0',
    'retry:1',
    'reminder:3',
    'retry:3',
    'retry:5',
    'reminder:7',
    'retry:7',
    'suspend:14',
  ]);
});

t.test('a retry that succeeds settles the invoice; an admin’s suspension is not lifted by payment', async (t) => {
  card.declining = false;
  const { subscriptionId } = await customerWithCard();
  // The period of this subscription starts today: it is invoiced on the next run.
  await sql('plugin_accounts.subscriptions').where({ id: subscriptionId }).update({ next_due_date: '2026-12-31' });
  await day('2026-12-31');
  const invoice = await sql('plugin_billing.invoices').where({ subscription_id: subscriptionId }).first();
  t.equal(invoice.status, 'unpaid');
  t.equal((await asAdmin.post(`/v1/subscriptions/${subscriptionId}/suspend`, { reason: 'abuse' })).status, 200);
  await day('2027-01-15');
  await day('2027-01-16');
  const after = await sql('plugin_billing.invoices').where({ id: invoice.id }).first();
  t.match(after, { status: 'paid', amount_paid: '1999' }, 'the day-1 retry took the money');
  t.match(await subscription(subscriptionId), { status: 'suspended', suspendReason: 'abuse' }, 'not billing’s to lift');
});

t.test('termination after M days, once configured (off by default)', async (t) => {
  card.declining = true;
  const kernel = host.kernel as unknown as { setConfig(id: string, config: Record<string, unknown>): Promise<unknown> };
  await kernel.setConfig('billing', { terminateAfterDays: 20 });
  const { subscriptionId } = await customerWithCard();
  await sql('plugin_accounts.subscriptions').where({ id: subscriptionId }).update({ next_due_date: '2027-01-16' });
  await day('2027-01-17');
  const invoice = await sql('plugin_billing.invoices').where({ subscription_id: subscriptionId }).first();
  t.equal(invoice.due_date.toISOString().slice(0, 10), '2027-01-31');
  await day('2027-02-14');
  t.equal((await subscription(subscriptionId)).status, 'suspended');
  await day('2027-02-19');
  t.equal((await subscription(subscriptionId)).status, 'suspended');
  await day('2027-02-20');
  t.equal((await subscription(subscriptionId)).status, 'terminated');
});
