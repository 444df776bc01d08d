/**
 * The recurring run end to end on a real kernel and database: the scheduled run queues one job
 * per due subscription, each period is invoiced once (runs at once, runs again, a crash between
 * the invoice and the due date), numbers have no gap per issuer and year, the due date moves,
 * lines and taxes follow the issuer's and customer's settings, and an issued invoice is frozen.
 */
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
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

const admin = await makeUser(sql, 'super_admin');
const reseller = await makeUser(sql, 'reseller', admin, { name: 'Ümlaut Hosting GmbH' });
const asAdmin = caller(host, admin);

async function customer(parent = reseller) {
  return makeUser(sql, 'customer', parent);
}

async function pkg(overrides: Record<string, unknown> = {}) {
  const res = await asAdmin.post('/v1/packages', packageBody(overrides));
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

async function subscribe(customerId: string, packageId: string, nextDueDate: string, billingCycle = 'monthly') {
  const res = await asAdmin.post('/v1/subscriptions', { customerId, packageId, billingCycle, nextDueDate });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

const dueDateOf = async (id: string) =>
  ((await sql('plugin_accounts.subscriptions').where({ id }).first(sql.raw('next_due_date::text as d'))) as { d: string }).d;
const invoicesOf = (subscriptionId: string) =>
  sql('plugin_billing.invoices')
    .where({ subscription_id: subscriptionId })
    .orderBy('period_start')
    .select('*', sql.raw('period_start::text as ps'));

/** `hostplane billing run …` as the CLI would run it, then the host's workers do the queued work. */
async function run(args: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await host.kernel.runCommand('billing', 'run', args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  await host.drainJobs();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const basic = await pkg({ name: 'Basic', prices: { monthly: 1999, quarterly: 5500, yearly: 19900 }, setupFee: 1000 });

t.test('the daily schedule queues one job per due subscription; each is invoiced and its due date moves', async (t) => {
  const ada = await customer();
  const sub = await subscribe(ada.id, basic, '2026-12-01');
  const later = await subscribe(ada.id, basic, '2026-12-20');
  // 02:15 is the run's cron: moving the clock past it fires the schedule.
  await host.clock.set('2026-12-05T02:16:00Z');
  await host.drainJobs();
  const [invoice] = await invoicesOf(sub);
  t.match(invoice, { status: 'unpaid', issuer: reseller.id, currency: 'EUR', ps: '2026-12-01' });
  t.match(invoice.number, /^INV-2026-\d{5}$/);
  t.equal(await dueDateOf(sub), '2027-01-01', 'the next due date moved one cycle');
  t.equal((await invoicesOf(later)).length, 0, 'not due yet');
  t.equal(await dueDateOf(later), '2026-12-20');

  const detail = (await caller(host, ada).get(`/v1/invoices/${invoice.id}`)).body;
  t.match(detail, { total: 2999, subtotal: 2999, taxTotal: 0, issuerName: 'Ümlaut Hosting GmbH', amountDue: 2999 });
  t.same(
    detail.lines.map((l: { kind: string; amount: number }) => [l.kind, l.amount]),
    [
      ['package', 1999],
      ['setup_fee', 1000],
    ],
    'the first invoice carries the setup fee',
  );
  const [mail] = await host.kernel.listOutbox({ to: ada.email });
  t.match(mail, {
    subject: `Invoice ${invoice.number} from Ümlaut Hosting GmbH`,
    fromName: 'Ümlaut Hosting GmbH',
    tag: 'billing.invoice-issued',
  });
  t.match(mail!.text, /29\.99 EUR, due 2026-12-19/);
  // The issuer's branding (billing's mail-branding source), in the shared layout.
  t.match(mail!.html, /<!doctype html>.*Ümlaut Hosting GmbH.*29\.99 EUR/s);
  t.match(mail!.attachments, [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf' }]);
});

t.test('runs and duplicate jobs at once make one invoice per period and numbers without gaps', async (t) => {
  const subs = [];
  for (let i = 0; i < 6; i++) subs.push(await subscribe((await customer()).id, basic, '2026-12-02'));
  // Beside three runs, the same period's job three times over, without the job key that would fold them.
  for (const sub of subs) {
    for (let i = 0; i < 3; i++) {
      await host.kernel.jobs.enqueue('billing:invoice-subscription', {
        subscriptionId: sub,
        periodStart: '2026-12-02',
        date: '2026-12-05',
      });
    }
  }
  const results = await Promise.all([
    run(['--date', '2026-12-05']),
    run(['--date', '2026-12-05']),
    run(['--date', '2026-12-05']),
  ]);
  t.same(
    results.map((r) => r.code),
    [0, 0, 0],
    results.map((r) => r.err).join(),
  );
  await host.drainJobs();
  for (const sub of subs) {
    t.equal((await invoicesOf(sub)).length, 1, `one invoice for ${sub}`);
    t.equal(await dueDateOf(sub), '2027-01-02');
  }
  const numbers = (await sql('plugin_billing.invoices')
    .where({ issuer: reseller.id, year: 2026 })
    .orderBy('sequence')
    .pluck('sequence')) as number[];
  t.same(
    numbers,
    numbers.map((_n, i) => i + 1),
    'sequence 1…N, no gap',
  );
  const [seq] = await sql('plugin_billing.invoice_sequences').where({ issuer: reseller.id, year: 2026 });
  t.equal(seq.last_number, numbers.length, 'the counter is where the last invoice left it');
});

t.test(
  'a run killed between its invoice and the due-date move is repaired by the next run, without a second invoice',
  async (t) => {
    const sub = await subscribe((await customer()).id, basic, '2026-11-15');
    t.equal((await run(['--date', '2026-12-05'])).code, 0);
    t.same(
      (await invoicesOf(sub)).map((i) => i.ps),
      ['2026-11-15', '2026-12-15'].filter((d) => d <= '2026-12-05'),
    );
    t.equal(await dueDateOf(sub), '2026-12-15');
    // As if the process died after the invoice committed and before accounts moved the date.
    await sql('plugin_accounts.subscriptions').where({ id: sub }).update({ next_due_date: '2026-11-15' });
    t.equal((await run(['--date', '2026-12-05'])).code, 0);
    t.equal((await invoicesOf(sub)).length, 1, 'still one invoice');
    t.equal(await dueDateOf(sub), '2026-12-15', 'the date moved this time');
  },
);

t.test('a subscription several periods behind gets one invoice per period; the setup fee only on the first', async (t) => {
  const sub = await subscribe((await customer()).id, basic, '2026-09-05');
  t.equal((await run(['--date', '2026-12-05'])).code, 0);
  const rows = await invoicesOf(sub);
  t.same(
    rows.map((i) => i.ps),
    ['2026-09-05', '2026-10-05', '2026-11-05', '2026-12-05'],
  );
  t.same(
    rows.map((i) => Number(i.total)),
    [2999, 1999, 1999, 1999],
  );
  t.equal(await dueDateOf(sub), '2027-01-05');
});

t.test('dry run lists what is due and changes nothing', async (t) => {
  const sub = await subscribe((await customer()).id, basic, '2026-12-03');
  const dry = await run(['--date', '2026-12-05', '--dry-run']);
  t.equal(dry.code, 0);
  t.match(dry.out, sub);
  t.match(dry.out, /19\.99 EUR/);
  t.equal((await invoicesOf(sub)).length, 0);
  t.equal(await dueDateOf(sub), '2026-12-03');
  t.equal((await run(['--date', '2026-02-30'])).code, 2, 'a date that does not exist is a usage error');
  t.equal((await run(['--bogus'])).code, 2);
});

t.test('taxes follow the issuer and the customer: exclusive, inclusive, reverse charge', async (t) => {
  const issuer = await makeUser(sql, 'reseller', admin, { name: 'Steuer AG' });
  await sql('plugin_billing.issuers').insert({ issuer: issuer.id, name: 'Steuer AG', country: 'DE', number_prefix: 'ST-' });
  await sql('plugin_billing.tax_rates').insert([
    { issuer: issuer.id, country: 'DE', name: 'USt 19 %', rate_bp: 1900 },
    { issuer: issuer.id, country: 'FR', name: 'TVA 20 %', rate_bp: 2000 },
  ]);
  const plain = await pkg({ name: 'Tax', prices: { monthly: 1000 } });
  const home = await makeUser(sql, 'customer', issuer);
  await sql('plugin_billing.billing_profiles').insert({ user_id: home.id, country: 'DE' });
  const frBusiness = await makeUser(sql, 'customer', issuer);
  await sql('plugin_billing.billing_profiles').insert({
    user_id: frBusiness.id,
    country: 'FR',
    is_business: true,
    vat_id: 'FR12345678901',
  });
  const subHome = await subscribe(home.id, plain, '2026-12-04');
  const subFr = await subscribe(frBusiness.id, plain, '2026-12-04');
  t.equal((await run(['--date', '2026-12-05'])).code, 0);
  const [h] = await invoicesOf(subHome);
  t.match(h, { subtotal: '1000', tax_total: '190', total: '1190', reverse_charge: false });
  t.match(h.number, /^ST-2026-0000[12]$/);
  const [f] = await invoicesOf(subFr);
  t.match(f, { subtotal: '1000', tax_total: '0', total: '1000', reverse_charge: true });

  await sql('plugin_billing.issuers').where({ issuer: issuer.id }).update({ prices_include_tax: true });
  const incl = await subscribe(home.id, plain, '2026-12-05');
  t.equal((await run(['--date', '2026-12-05'])).code, 0);
  const [i] = await invoicesOf(incl);
  t.match(i, { subtotal: '840', tax_total: '160', total: '1000' }, 'the listed price is the gross');
  const taxes = await sql('plugin_billing.invoice_taxes').where({ invoice_id: i.id });
  t.match(taxes, [{ name: 'USt 19 %', rate_bp: 1900, net: '840', tax: '160' }]);
});

t.test('an issued invoice never changes', async (t) => {
  const sub = await subscribe((await customer()).id, basic, '2026-12-05');
  t.equal((await run(['--date', '2026-12-05'])).code, 0);
  const [invoice] = await invoicesOf(sub);
  await t.rejects(sql('plugin_billing.invoices').where({ id: invoice.id }).update({ total: 1 }), /cannot change/);
  await t.rejects(sql('plugin_billing.invoice_lines').where({ invoice_id: invoice.id }).update({ amount: 1 }), /cannot change/);
  await t.rejects(
    sql('plugin_billing.invoice_lines').insert({
      invoice_id: invoice.id,
      position: 9,
      kind: 'manual',
      description: 'sneaked in',
      quantity: 1,
      unit_amount: 1,
      amount: 1,
      tax_name: 'x',
      tax_rate_bp: 0,
    }),
    /cannot change/,
  );
});

t.test('a package without a price for the cycle is not invoiced and its date stays', async (t) => {
  const changing = await pkg({ name: 'Yearly, then not', prices: { monthly: 700, yearly: 7000 } });
  const sub = await subscribe((await customer()).id, changing, '2026-12-01', 'yearly');
  // The yearly price was withdrawn after the subscription began.
  await sql('plugin_accounts.packages').where({ id: changing }).update({ price_yearly: null });
  const dry = await run(['--date', '2026-12-05', '--dry-run']);
  t.match(dry.out, /no price for this cycle/);
  t.equal((await run(['--date', '2026-12-05'])).code, 0);
  t.equal((await invoicesOf(sub)).length, 0);
  t.equal(await dueDateOf(sub), '2026-12-01');
});
