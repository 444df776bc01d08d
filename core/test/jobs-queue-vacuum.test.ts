import type { Logger } from '@hostplane/sdk';
import pg from 'pg';
import t from 'tap';
import { QueueVacuum } from '../src/jobs/queue-vacuum.js';
import { useTestDatabase } from './helpers/database.js';

const db = await useTestDatabase(t);
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
t.teardown(() => pool.end());

function recordingLogger(): { logger: Logger; warnings: unknown[] } {
  const warnings: unknown[] = [];
  const logger = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Logger;
  return { logger, warnings };
}

/** Dead rows of `table` as PostgreSQL counts them (the vacuum's own report updates it at once). */
async function deadRows(table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `select coalesce(n_dead_tup, 0) as n from pg_stat_user_tables where relname = $1`,
    [table],
  );
  return Number(rows[0]?.n ?? 0);
}

async function vacuums(table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`select vacuum_count as n from pg_stat_user_tables where relname = $1`, [
    table,
  ]);
  return Number(rows[0]?.n ?? 0);
}

t.test('vacuums after the set number of finished jobs, and not before', async (t) => {
  await pool.query(`create table public.burst (id serial primary key, body text)`);
  await pool.query(`insert into public.burst (body) select repeat('x', 50) from generate_series(1, 3000)`);
  await pool.query(`delete from public.burst where id <= 2500`);
  const { logger, warnings } = recordingLogger();
  const vacuum = new QueueVacuum(pool, 'public.burst', logger, { everyJobs: 3, minIntervalMs: 0 });
  const before = await vacuums('burst');
  t.equal(vacuum.finished(), undefined, 'first job: not yet');
  t.equal(vacuum.finished(), undefined, 'second job: not yet');
  const run = vacuum.finished();
  t.ok(run, 'the third job starts a vacuum');
  t.equal(vacuum.finished(), undefined, 'none starts while one runs');
  await run;
  t.equal(await vacuums('burst'), before + 1, 'the table was vacuumed once');
  t.equal(await deadRows('burst'), 0, 'its dead rows are gone');
  t.same(warnings, [], 'nothing to warn about');
});

t.test('a short interval holds a second vacuum back even when enough jobs finished', async (t) => {
  await pool.query(`create table public.flood (id serial primary key)`);
  const vacuum = new QueueVacuum(pool, 'public.flood', recordingLogger().logger, { everyJobs: 1, minIntervalMs: 60_000 });
  await vacuum.finished();
  for (let i = 0; i < 10; i++) t.equal(vacuum.finished(), undefined, `job ${i + 2} within the interval: no vacuum`);
  t.equal(await vacuums('flood'), 1);
});

t.test('a failing vacuum is logged, never thrown at the job that finished', async (t) => {
  const { logger, warnings } = recordingLogger();
  const vacuum = new QueueVacuum(pool, 'public.no_such_table', logger, { everyJobs: 1, minIntervalMs: 0 });
  await vacuum.finished();
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0], { err: { code: '42P01' } });
});
