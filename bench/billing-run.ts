/**
 * Billing run benchmark: the invoice run for 10,000 due subscriptions, end to end on a real
 * kernel. Users, packages, billing profiles and subscriptions are seeded with SQL (a few
 * `INSERT … SELECT generate_series`), then `hostplane billing run --date D --wait` runs through
 * the plugin's own command (the same code as the CLI: it queues `billing:run`), and this
 * process's job workers do what a host's do: the run queues one `billing:invoice-subscription`
 * job per due subscription, each issues that period's invoice (tax, number, snapshot, the
 * deliver job queued) and moves the subscription's next due date through accounts. Timed until
 * nothing is due any more: every invoice exists. Then it checks: one invoice per subscription
 * and period, no duplicate, numbers gapless per issuer and year, every due date moved.
 *
 * Baseline, same database, same run: the bare writes each invoice needs, by hand: in one
 * transaction per invoice, the issuer's sequence upsert, the invoice row (number, totals,
 * snapshots), one line row and the subscription's due-date update, into copies of the same
 * tables (same columns and indexes, no triggers), from as many parallel connections as the run
 * has workers. It is the floor under the run (no job queue, no reads, no tax lookup): `ratio`
 * is the run's invoices/s ÷ the baseline's (`timeRatio` the inverse) and says what the run's
 * machinery costs over the writes it must make; the target is the absolute one. The process's
 * CPU per invoice is printed too: unlike the times, the machine's load changes it little.
 *
 * The invoices' PDFs and mails (`billing:deliver-invoice`, one per invoice) are queued behind
 * the invoice jobs and are not part of the figure: `BENCH_BILLING_DELIVER=1` waits for them too
 * and reports mails queued per second (PDFs on the pool: much slower; see invoice-pdf.ts).
 *
 * Target: 10,000 invoices in < 60 s (issue 12).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/billing-run.ts
 * Env: BENCH_SUBSCRIPTIONS (default 10000), BENCH_JOB_CONCURRENCY (workers, default 4 = a
 * host's), BENCH_RESELLERS (issuers besides the platform, default 9), BENCH_BILLING_DELIVER.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import knexFactory, { type Knex } from 'knex';
import { Kernel, createLogger, createTestDatabase, openDatabase } from '@hostplane/core';
import accounts from '../plugins/accounts/src/index.js';
import billing from '../plugins/billing/src/index.js';

const SUBSCRIPTIONS = Number(process.env.BENCH_SUBSCRIPTIONS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_JOB_CONCURRENCY ?? 4);
const RESELLERS = Number(process.env.BENCH_RESELLERS ?? 9);
const DELIVER = process.env.BENCH_BILLING_DELIVER === '1';
const TARGET_SECONDS = 60;
const DUE = '2026-12-01';
const RUN_DATE = '2026-12-05';
const NEXT = '2027-01-01';

/** Users, issuers, tax rates, profiles, packages and one monthly subscription per customer due on DUE. */
async function seed(sql: Knex): Promise<void> {
  const [admin] = (await sql('hostplane.users')
    .insert({ email: 'admin@bench.test', name: 'Bench Admin', role: 'super_admin' })
    .returning('id')) as Array<{ id: string }>;
  await sql.raw(
    `insert into hostplane.users (email, name, role, parent_id)
     select 'reseller' || r || '@bench.test', 'Reseller ' || r, 'reseller', ?::uuid from generate_series(1, ?) r`,
    [admin!.id, RESELLERS],
  );
  // Slot 0 is the platform (customers under the admin), slots 1..R the resellers: one issuer each.
  await sql.raw(
    `with sellers as (
       select ?::uuid as id, 0 as slot
       union all
       select id, row_number() over (order by email)::int from hostplane.users where email like 'reseller%@bench.test'
     )
     insert into hostplane.users (email, name, role, parent_id)
     select 'customer' || i || '@bench.test', 'Customer ' || i, 'customer', s.id
       from generate_series(1, ?) i join sellers s on s.slot = i % ?`,
    [admin!.id, SUBSCRIPTIONS, RESELLERS + 1],
  );
  await sql.raw(
    `insert into plugin_billing.issuers (issuer, name, address, country, tax_id)
     select 'platform', 'Bench Platform', 'Hauptstraße 1, Berlin', 'DE', 'DE123456789'
     union all
     select id::text, name, 'Street 1, Berlin', 'DE', null from hostplane.users where email like 'reseller%@bench.test'`,
  );
  await sql.raw(
    `insert into plugin_billing.tax_rates (issuer, country, name, rate_bp) select issuer, 'DE', 'USt', 1900 from plugin_billing.issuers`,
  );
  await sql.raw(
    `insert into plugin_billing.billing_profiles (user_id, country, address)
     select id, 'DE', 'Customer street 1' from hostplane.users where role = 'customer'`,
  );
  await sql.raw(
    `insert into plugin_accounts.packages (name, currency, price_monthly, setup_fee)
     values ('Starter', 'EUR', 499, 0), ('Business', 'EUR', 1999, 500), ('Pro', 'EUR', 4999, 0)`,
  );
  await sql.raw(
    `with p as (select id, row_number() over (order by price_monthly)::int - 1 as slot from plugin_accounts.packages)
     insert into plugin_accounts.subscriptions (customer_id, package_id, status, billing_cycle, next_due_date)
     select u.id, p.id, 'active', 'monthly', ?::date
       from (select id, row_number() over (order by email)::int as n from hostplane.users where role = 'customer') u
       join p on p.slot = u.n % 3`,
    [DUE],
  );
  for (const table of [
    'hostplane.users',
    'hostplane.user_tree',
    'plugin_accounts.subscriptions',
    'plugin_billing.billing_profiles',
  ])
    await sql.raw(`vacuum analyze ${table}`);
}

/** The baseline: the bare writes of every invoice, by hand, into copies of the tables. */
async function baseline(sql: Knex): Promise<number> {
  await sql.raw(`create table public.b_invoices (like plugin_billing.invoices including defaults including indexes)`);
  await sql.raw(`create table public.b_lines (like plugin_billing.invoice_lines including defaults including indexes)`);
  await sql.raw(`create table public.b_sequences (like plugin_billing.invoice_sequences including defaults including indexes)`);
  await sql.raw(
    `create table public.b_subscriptions as select id, customer_id, next_due_date from plugin_accounts.subscriptions`,
  );
  await sql.raw(`alter table public.b_subscriptions add primary key (id)`);
  const subs = (
    await sql.raw<{ rows: Array<{ id: string; customer_id: string; issuer: string }> }>(
      `select s.id, s.customer_id, coalesce(case when p.role = 'reseller' then p.id::text end, 'platform') as issuer
       from public.b_subscriptions s join hostplane.users u on u.id = s.customer_id left join hostplane.users p on p.id = u.parent_id`,
    )
  ).rows;
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < subs.length; i = next++) {
      const s = subs[i]!;
      await sql.transaction(async (trx) => {
        const { rows } = await trx.raw<{ rows: Array<{ last_number: number }> }>(
          `insert into public.b_sequences (issuer, year, last_number) values (?, 2026, 1)
           on conflict (issuer, year) do update set last_number = b_sequences.last_number + 1 returning last_number`,
          [s.issuer],
        );
        const sequence = rows[0]!.last_number;
        const [invoice] = (await trx('public.b_invoices')
          .insert({
            issuer: s.issuer,
            customer_id: s.customer_id,
            subscription_id: s.id,
            period_start: DUE,
            period_end: NEXT,
            currency: 'EUR',
            prices_include_tax: false,
            reverse_charge: false,
            number: `INV-2026-${String(sequence).padStart(5, '0')}`,
            year: 2026,
            sequence,
            status: 'unpaid',
            subtotal: 1999,
            tax_total: 380,
            total: 2379,
            issue_date: RUN_DATE,
            due_date: '2026-12-19',
            issuer_snapshot: JSON.stringify({ name: 'Bench Platform', address: 'Hauptstraße 1, Berlin', country: 'DE' }),
            customer_snapshot: JSON.stringify({ id: s.customer_id, name: 'Customer', email: 'c@bench.test', country: 'DE' }),
          })
          .returning('id')) as Array<{ id: string }>;
        await trx('public.b_lines').insert({
          invoice_id: invoice!.id,
          position: 0,
          kind: 'package',
          description: `Business (${DUE} – 2026-12-31)`,
          quantity: 1,
          unit_amount: 1999,
          amount: 1999,
          tax_name: 'USt',
          tax_rate_bp: 1900,
        });
        await trx('public.b_subscriptions').where({ id: s.id, next_due_date: DUE }).update({ next_due_date: NEXT });
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - start;
  for (const table of ['b_lines', 'b_invoices', 'b_sequences', 'b_subscriptions']) await sql.raw(`drop table public.${table}`);
  return ms;
}

/** What must hold after the run; the problems found (none: empty). */
async function verify(sql: Knex): Promise<{ invoices: number; problems: string[] }> {
  const problems: string[] = [];
  const one = async (query: string, bindings: unknown[] = []) =>
    (await sql.raw<{ rows: Array<Record<string, unknown>> }>(query, bindings as Knex.RawBinding[])).rows;
  const [count] = await one(
    `select count(*)::int as n from plugin_billing.invoices where subscription_id is not null and period_start = ?`,
    [DUE],
  );
  const invoices = Number(count!.n);
  if (invoices !== SUBSCRIPTIONS) problems.push(`${invoices} invoices for ${SUBSCRIPTIONS} subscriptions`);
  const duplicates = await one(
    `select subscription_id, period_start, count(*) from plugin_billing.invoices
      where subscription_id is not null group by 1, 2 having count(*) > 1`,
  );
  if (duplicates.length) problems.push(`${duplicates.length} (subscription, period) pairs invoiced twice`);
  const series = await one(
    `select i.issuer, i.year, count(*)::int as n, min(i.sequence) as lo, max(i.sequence) as hi,
            count(distinct i.sequence)::int as distinct_n, max(s.last_number) as last
       from plugin_billing.invoices i join plugin_billing.invoice_sequences s on s.issuer = i.issuer and s.year = i.year
      where i.number is not null group by i.issuer, i.year`,
  );
  for (const s of series) {
    if (Number(s.lo) !== 1 || Number(s.hi) !== s.n || s.distinct_n !== s.n || Number(s.last) !== s.n)
      problems.push(`numbers of ${String(s.issuer)} ${String(s.year)}: ${s.n} invoices, ${s.lo}..${s.hi}, sequence at ${s.last}`);
  }
  if (series.length !== RESELLERS + 1) problems.push(`${series.length} number series for ${RESELLERS + 1} issuers`);
  const [left] = await one(
    `select count(*)::int as n from plugin_accounts.subscriptions where next_due_date is distinct from ?::date`,
    [NEXT],
  );
  if (Number(left!.n) > 0) problems.push(`${left!.n} subscriptions' due dates did not move to ${NEXT}`);
  return { invoices, problems };
}

async function main(): Promise<void> {
  const started = performance.now();
  const testDb = await createTestDatabase('hostplane_bench_billing_run');
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-bench-billing-run-'));
  const sql = knexFactory({ client: 'pg', connection: testDb.url, pool: { min: 0, max: CONCURRENCY + 2 } });
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const database = await openDatabase({ url: testDb.url, dataDir });
  const kernel = await Kernel.boot({
    database,
    logger: createLogger({ level: 'warn', destination: quiet }),
    inlinePlugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: billing, version: '0.1.0' },
    ],
    enable: ['accounts', 'billing'],
    runWorkers: true,
    jobConcurrency: CONCURRENCY,
    // The daily cron never fires by itself here: the bench runs the run.
    schedules: 'manual',
  });
  try {
    for (const id of ['accounts', 'billing'])
      if (kernel.plugin(id)?.state !== 'started') throw new Error(`${id} did not start: ${JSON.stringify(kernel.plugin(id))}`);
    let t0 = performance.now();
    await seed(sql);
    const seedMs = performance.now() - t0;
    console.log(
      `seeded ${SUBSCRIPTIONS} customers and subscriptions under ${RESELLERS + 1} issuers in ${(seedMs / 1000).toFixed(1)} s`,
    );

    const baselineMs = await baseline(sql);
    console.log(
      `baseline (bare writes by hand, ${CONCURRENCY} connections): ${(baselineMs / 1000).toFixed(1)} s, ` +
        `${((SUBSCRIPTIONS / baselineMs) * 1000).toFixed(0)} invoices/s`,
    );

    const out: string[] = [];
    // Polled each second: the first invoice marks the end of the queueing phase (the run job queues
    // every subscription's job in one transaction, so none can start before it commits).
    let firstInvoiceMs: number | null = null;
    let polls = 0;
    const progress = setInterval(() => {
      void sql
        .raw<{ rows: Array<{ n: number }> }>(`select count(*)::int as n from plugin_billing.invoices`)
        .then(({ rows }) => {
          const n = rows[0]!.n;
          if (n > 0 && firstInvoiceMs === null) firstInvoiceMs = performance.now() - t0;
          if (++polls % 10 === 0) console.log(`  … ${n} invoices after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        })
        .catch(() => undefined);
    }, 1000);
    t0 = performance.now();
    const cpuBefore = process.cpuUsage();
    const code = await kernel.runCommand('billing', 'run', ['--date', RUN_DATE, '--wait', '--json'], {
      out: (line) => out.push(line),
      err: (line) => console.error(line),
    });
    const runMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(progress);
    if (code !== 0) throw new Error(`billing run exited ${code}: ${out.join('\n')}`);
    const { invoices, problems } = await verify(sql);
    const rate = (invoices / runMs) * 1000;
    // This process's CPU per invoice (workers, jobs, knex; not PostgreSQL's): what the machine's load does not change much.
    const cpuMsPerInvoice = (cpu.user + cpu.system) / 1000 / Math.max(1, invoices);
    console.log(
      `billing run (${CONCURRENCY} workers): ${invoices} invoices in ${(runMs / 1000).toFixed(1)} s, ${rate.toFixed(0)} invoices/s ` +
        `(target < ${TARGET_SECONDS} s) · ${(baselineMs / runMs).toFixed(2)}× the baseline's rate (${(runMs / baselineMs).toFixed(1)}× its time) · ` +
        `${cpuMsPerInvoice.toFixed(1)} ms CPU per invoice in this process`,
    );
    const queuedSeconds = firstInvoiceMs === null ? null : Number(((firstInvoiceMs as number) / 1000).toFixed(1));
    console.log(
      `the first invoice appeared after ${queuedSeconds ?? '?'} s (the run queues all ${invoices} jobs in one transaction)`,
    );
    console.log(
      problems.length
        ? `PROBLEMS:\n  ${problems.join('\n  ')}`
        : 'checked: one invoice per subscription, no duplicate, no number gap, every due date moved',
    );

    let deliverMs: number | null = null;
    const mailed = async () =>
      Number(
        (
          await sql.raw<{ rows: Array<{ n: number }> }>(
            `select count(*)::int as n from plugin_billing.invoices where mailed_at is not null`,
          )
        ).rows[0]!.n,
      );
    console.log(`mails queued by the end of the run: ${await mailed()} (they follow the invoices)`);
    if (DELIVER) {
      while ((await mailed()) < invoices) await new Promise((r) => setTimeout(r, 1000));
      deliverMs = performance.now() - t0;
      console.log(`every invoice's PDF rendered and mail queued after ${(deliverMs / 1000).toFixed(1)} s`);
    }
    console.log(
      JSON.stringify({
        bench: 'billing-run',
        subscriptions: SUBSCRIPTIONS,
        issuers: RESELLERS + 1,
        workers: CONCURRENCY,
        seedSeconds: Number((seedMs / 1000).toFixed(1)),
        baselineSeconds: Number((baselineMs / 1000).toFixed(2)),
        baselineInvoicesPerSecond: Math.round((SUBSCRIPTIONS / baselineMs) * 1000),
        runSeconds: Number((runMs / 1000).toFixed(2)),
        invoicesPerSecond: Math.round(rate),
        firstInvoiceSeconds: queuedSeconds,
        ratio: Number((baselineMs / runMs).toFixed(3)),
        timeRatio: Number((runMs / baselineMs).toFixed(2)),
        cpuMsPerInvoice: Number(cpuMsPerInvoice.toFixed(2)),
        ...(deliverMs !== null ? { deliveredSeconds: Number((deliverMs / 1000).toFixed(1)) } : {}),
        problems,
        totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        targetSeconds: TARGET_SECONDS,
        pass: runMs < TARGET_SECONDS * 1000 && problems.length === 0,
      }),
    );
  } finally {
    await kernel.stop();
    await sql.destroy();
    await testDb.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
