/**
 * A host SIGKILLed in the middle of an invoice run (its kernel and job workers in a process of
 * their own), then another host finishing the run: every period is invoiced once, the numbers
 * of each issuer and year run 1…N without a gap, and every subscription ends on its next due date.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { pino } from 'pino';
import t from 'tap';
import { Kernel, createTestDatabase, openDatabase } from '@hostplane/core';
import type { Logger } from '@hostplane/sdk';
import accounts from '@hostplane/plugin-accounts';
import manual from '@hostplane/plugin-payment-manual';
import { makeUser } from '../../accounts/test/helpers.js';
import billing from '../src/index.js';

const CHILD = fileURLToPath(new URL('./support/worker-child.ts', import.meta.url));
const SUBSCRIPTIONS = 60;
const PERIODS = 3; // October, November and December

const db = await createTestDatabase();
const key = randomBytes(32).toString('base64');
const boot = async (runWorkers: boolean) =>
  Kernel.boot({
    database: await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 6 }),
    logger: pino({ level: 'silent' }) as unknown as Logger,
    inlinePlugins: [accounts, manual, billing].map((definition) => ({ definition, version: '0.1.0' })),
    enable: ['accounts', 'payment-manual', 'billing'],
    secrets: { key },
    runWorkers,
    schedules: 'manual',
    listen: false,
    taskThreads: 1,
  });
// Migrates and enables the plugins, as an install would have; no workers yet.
const kernel = await boot(false);
const sql = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 2 } });
t.teardown(async () => {
  await sql.destroy();
  await kernel.stop();
  await db.drop();
});

const admin = await makeUser(sql, 'super_admin');
const resellers = [await makeUser(sql, 'reseller', admin), await makeUser(sql, 'reseller', admin)];
const [pkg] = await sql('plugin_accounts.packages')
  .insert({ name: 'Basic', currency: 'EUR', price_monthly: 1000, setup_fee: 500 })
  .returning('id');
const subscriptions: string[] = [];
for (let i = 0; i < SUBSCRIPTIONS; i++) {
  const customer = await makeUser(sql, 'customer', resellers[i % 2]!);
  const [row] = await sql('plugin_accounts.subscriptions')
    .insert({ customer_id: customer.id, package_id: pkg.id, billing_cycle: 'monthly', next_due_date: '2026-10-05' })
    .returning('id');
  subscriptions.push(row.id as string);
}
const count = async (): Promise<number> => Number((await sql('plugin_billing.invoices').count({ c: '*' }))[0]!.c);

t.test('a host killed mid-run, the run finished by another: no duplicate invoice, no gap in numbers', async (t) => {
  await kernel.jobs.enqueue('billing:run', { date: '2026-12-05' });
  const worker = spawn(process.execPath, ['--conditions=@hostplane/source', '--import', 'tsx', CHILD, db.url], {
    env: { ...process.env, HOSTPLANE_SECRET_KEY: key },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let ended = false;
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    worker.on('exit', (code, signal) => {
      ended = true;
      resolve(signal ?? code);
    }),
  );
  t.teardown(() => {
    if (!ended) worker.kill('SIGKILL');
  });
  // Part-way: some invoices made, most not.
  const deadline = Date.now() + 60_000;
  while ((await count()) < 20) {
    if (ended || Date.now() > deadline) throw new Error(`the worker ended or stalled before it was killed: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  worker.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL');
  const atKill = await count();
  t.ok(atKill < SUBSCRIPTIONS * PERIODS, `killed with ${atKill} of ${SUBSCRIPTIONS * PERIODS} invoices made`);

  // Another host: it frees the dead worker's jobs (core's liveness sweep) and finishes the run;
  // the run is queued again too, as the next day's schedule (or an operator) would.
  const second = await boot(true);
  t.teardown(() => second.stop());
  await second.jobs.enqueue('billing:run', { date: '2026-12-05' });
  const finish = Date.now() + 60_000;
  while ((await count()) < SUBSCRIPTIONS * PERIODS || (await second.jobs.list({ limit: 10 })).some((j) => j.state !== 'dead')) {
    if (Date.now() > finish) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  const duplicates = await sql('plugin_billing.invoices')
    .select('subscription_id', 'period_start')
    .count({ c: '*' })
    .groupBy('subscription_id', 'period_start')
    .havingRaw('count(*) > 1');
  t.same(duplicates, [], 'one invoice per subscription and period');
  t.equal(await count(), SUBSCRIPTIONS * PERIODS, 'every period of every subscription');
  for (const reseller of resellers) {
    const numbers = (await sql('plugin_billing.invoices')
      .where({ issuer: reseller.id, year: 2026 })
      .orderBy('sequence')
      .pluck('sequence')) as number[];
    t.equal(numbers.length, (SUBSCRIPTIONS / 2) * PERIODS);
    t.ok(
      numbers.every((n, i) => n === i + 1),
      `the numbers of one issuer run 1…${numbers.length} without a gap`,
    );
  }
  const dates = await sql('plugin_accounts.subscriptions')
    .whereIn('id', subscriptions)
    .distinct(sql.raw('next_due_date::text as d'));
  t.same(dates, [{ d: '2027-01-05' }], 'every subscription is due next in January');
  const fees = await sql('plugin_billing.invoice_lines').where({ kind: 'setup_fee' }).count({ c: '*' });
  t.equal(Number(fees[0]!.c), SUBSCRIPTIONS, 'one setup fee per subscription, on its first invoice');
  t.same(await second.jobs.list({ state: 'dead' }), [], 'no job gave up');
});
