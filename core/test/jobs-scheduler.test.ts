import type { Logger } from '@hostplane/sdk';
import cron from 'node-cron';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { JobEngine, Scheduler, type JobEvent } from '../src/jobs/index.js';
import { useTestDatabase } from './helpers/database.js';

const logger = pino({ level: process.env.HOSTPLANE_TEST_LOG_LEVEL ?? 'silent' }) as unknown as Logger;
const db = await useTestDatabase(t);

async function makeEngine(t: Test): Promise<JobEngine> {
  const engine = new JobEngine({ connectionString: db.url, knex: db.knex, logger });
  t.teardown(() => engine.stop());
  await engine.migrate();
  return engine;
}

function makeScheduler(t: Test, engine: JobEngine, now?: () => Date): Scheduler {
  const scheduler = new Scheduler({ knex: db.knex, engine, logger, ...(now ? { clock: { now } } : {}) });
  t.teardown(() => scheduler.stop());
  return scheduler;
}

t.test('two schedulers firing the same tick enqueue exactly one job', async (t) => {
  const engine = await makeEngine(t);
  const spec = { name: 'test:nightly', cron: '0 3 * * *', job: 'test:clean-up', payload: { deep: true } };
  const a = makeScheduler(t, engine);
  const b = makeScheduler(t, engine);
  a.setSchedules([spec]);
  b.setSchedules([spec]);

  const at = new Date('2030-01-02T03:00:00.000Z');
  // The same firing seen a few hundred ms apart by two processes is the same tick.
  const results = await Promise.all([a.tick('test:nightly', at), b.tick('test:nightly', new Date(at.getTime() + 420))]);
  const winners = results.filter((r) => r.enqueued);
  t.equal(winners.length, 1, 'one insert won');
  t.same(
    results.map((r) => r.tick.toISOString()),
    [at.toISOString(), at.toISOString()],
  );

  const jobs = await engine.list({ name: 'test:clean-up' });
  t.equal(jobs.length, 1);
  t.match(jobs[0], { id: winners[0]!.jobId, key: `test:nightly@${at.toISOString()}`, state: 'waiting' });
  const { rows } = await db.knex.raw('select schedule, job_id::text as job_id from hostplane.schedule_ticks where schedule = ?', [
    'test:nightly',
  ]);
  t.same(rows, [{ schedule: 'test:nightly', job_id: winners[0]!.jobId }], 'the tick records its job');

  // A late process firing the same tick after the job finished (and was deleted) adds nothing.
  await db.knex.raw('delete from graphile_worker._private_jobs where id = ?::bigint', [winners[0]!.jobId!]);
  t.match(await a.tick('test:nightly', at), { enqueued: false });
  t.same(await engine.list({ name: 'test:clean-up' }), []);

  // The next tick is a new job.
  t.match(await b.tick('test:nightly', new Date('2030-01-03T03:00:00Z')), { enqueued: true });
});

t.test('a real every-second schedule enqueues jobs that run; stop() stops it', async (t) => {
  const engine = await makeEngine(t);
  const payloads: unknown[] = [];
  const two = new Promise<void>((resolve) => {
    engine.onEvent((e: JobEvent) => {
      if (e.type === 'succeeded' && e.name === 'test:beat' && payloads.length >= 2) resolve();
    });
  });
  await engine.setDefinitions([{ name: 'test:beat', maxAttempts: 1, handler: async (payload) => void payloads.push(payload) }]);
  await engine.start();
  const scheduler = makeScheduler(t, engine);
  scheduler.setSchedules([{ name: 'test:heartbeat', cron: '* * * * * *', job: 'test:beat', payload: { hello: 'cron' } }]);
  t.same(scheduler.names(), ['test:heartbeat']);
  await two;
  t.same(payloads.slice(0, 2), [{ hello: 'cron' }, { hello: 'cron' }]);

  await scheduler.stop();
  t.same(scheduler.names(), []);
  t.notOk(
    [...cron.getTasks().values()].some((task) => task.name === 'test:heartbeat'),
    'its cron task is destroyed',
  );
  const count = async (): Promise<number> =>
    Number(
      (await db.knex.raw(`select count(*)::int as n from hostplane.schedule_ticks where schedule = 'test:heartbeat'`)).rows[0].n,
    );
  const before = await count();
  // One firing period and a bit: a live schedule would have added a tick by now.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  t.equal(await count(), before, 'no tick after stop');
  t.throws(() => scheduler.setSchedules([]), { code: 'SCHEDULES_ERR_STOPPED' });
});

t.test('invalid schedules are refused, naming the schedule, and the current ones stay', async (t) => {
  const engine = await makeEngine(t);
  const scheduler = makeScheduler(t, engine);
  scheduler.setSchedules([{ name: 'test:ok', cron: '*/5 * * * *', job: 'test:job', timezone: 'Europe/Paris' }]);

  const error = t.throws(() =>
    scheduler.setSchedules([
      { name: 'test:fine', cron: '0 * * * *', job: 'test:job' },
      { name: 'test:broken', cron: '61 * * * *', job: 'test:job' },
    ]),
  ) as { code?: string; message?: string; details?: { schedule?: string } };
  t.equal(error.code, 'SCHEDULES_ERR_INVALID_CRON');
  t.match(error.message, /test:broken/);
  t.equal(error.details?.schedule, 'test:broken');
  t.throws(() => scheduler.setSchedules([{ name: 'test:words', cron: 'every day', job: 'test:job' }]), {
    code: 'SCHEDULES_ERR_INVALID_CRON',
    statusCode: 400,
  });
  t.throws(() => scheduler.setSchedules([{ name: 'test:tz', cron: '* * * * *', job: 'test:job', timezone: 'Mars/Base' }]), {
    code: 'SCHEDULES_ERR_INVALID_TIMEZONE',
  });
  t.throws(() => scheduler.setSchedules([{ name: 'nocolon', cron: '* * * * *', job: 'test:job' }]), {
    code: 'SCHEDULES_ERR_INVALID_NAME',
  });
  t.throws(() => scheduler.setSchedules([{ name: 'test:x', cron: '* * * * *', job: 'Bad' }]), { code: 'JOBS_ERR_INVALID_NAME' });
  const twice = { name: 'test:dup', cron: '* * * * *', job: 'test:job' };
  t.throws(() => scheduler.setSchedules([twice, twice]), { code: 'SCHEDULES_ERR_DUPLICATE' });
  t.same(scheduler.names(), ['test:ok'], 'a refused set changes nothing');
  await t.rejects(scheduler.tick('test:gone', new Date()), { code: 'SCHEDULES_ERR_UNKNOWN', statusCode: 404 });
});

t.test('ticks older than 7 days are pruned', async (t) => {
  const engine = await makeEngine(t);
  const now = new Date('2031-06-15T12:00:00Z');
  const scheduler = makeScheduler(t, engine, () => now);
  await db.knex.raw(
    `insert into hostplane.schedule_ticks (schedule, tick) values
       ('test:prune', '2031-06-01T00:00:00Z'), ('test:prune', '2031-06-08T11:59:00Z'), ('test:prune', '2031-06-14T00:00:00Z')`,
  );
  t.ok((await scheduler.prune()) >= 2, 'the two old ones (and older ticks of other tests) are gone');
  const { rows } = await db.knex.raw(`select tick from hostplane.schedule_ticks where schedule = 'test:prune'`);
  t.same(
    rows.map((r: { tick: Date }) => new Date(r.tick).toISOString()),
    ['2031-06-14T00:00:00.000Z'],
  );
});

t.test('firingsBetween lists the ticks of a span by the expression and its time zone', async (t) => {
  const engine = await makeEngine(t);
  const scheduler = makeScheduler(t, engine);
  scheduler.setSchedules([
    { name: 'test:hourly', cron: '17 * * * *', job: 'test:clean-up' },
    { name: 'test:berlin', cron: '0 9 * * *', job: 'test:clean-up', timezone: 'Europe/Berlin' },
    { name: 'test:seconds', cron: '*/20 * * * * *', job: 'test:clean-up' },
  ]);
  const from = new Date('2030-01-02T10:17:00Z');
  const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
  t.same(
    iso(scheduler.firingsBetween('test:hourly', from, new Date('2030-01-02T12:17:00Z'))),
    ['2030-01-02T11:17:00.000Z', '2030-01-02T12:17:00.000Z'],
    'the span is (from, to]',
  );
  t.same(iso(scheduler.firingsBetween('test:berlin', from, new Date('2030-01-04T00:00:00Z'))), ['2030-01-03T08:00:00.000Z']);
  t.same(iso(scheduler.firingsBetween('test:seconds', from, new Date('2030-01-02T10:18:00Z'))), [
    '2030-01-02T10:17:20.000Z',
    '2030-01-02T10:17:40.000Z',
    '2030-01-02T10:18:00.000Z',
  ]);
  t.equal(scheduler.firingsBetween('test:seconds', from, new Date('2030-01-03T10:17:00Z'), 5).length, 5, 'at most `limit`');
  t.same(scheduler.firingsBetween('test:hourly', from, from), []);
  t.throws(() => scheduler.firingsBetween('test:none', from, from), { code: 'SCHEDULES_ERR_UNKNOWN' });
  t.equal(scheduler.spec('test:berlin')?.timezone, 'Europe/Berlin');
});

t.test('in manual mode a schedule never fires by wall time, only through tick()', async (t) => {
  const engine = await makeEngine(t);
  const scheduler = new Scheduler({ knex: db.knex, engine, logger, mode: 'manual' });
  t.teardown(() => scheduler.stop());
  scheduler.setSchedules([{ name: 'test:manual', cron: '* * * * * *', job: 'test:manual-job' }]);
  await new Promise((resolve) => setTimeout(resolve, 2300));
  t.same(await engine.list({ name: 'test:manual-job' }), [], 'two wall-clock seconds passed, nothing fired');
  t.match(await scheduler.tick('test:manual', new Date('2030-01-02T00:00:00Z')), { enqueued: true });
  t.equal((await engine.list({ name: 'test:manual-job' })).length, 1);
});
