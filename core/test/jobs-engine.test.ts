import type { JobContext, Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { JobEngine, type JobDefinition, type JobEvent } from '../src/jobs/index.js';
import { useTestDatabase } from './helpers/database.js';

const logger = pino({ level: process.env.HOSTPLANE_TEST_LOG_LEVEL ?? 'silent' }) as unknown as Logger;

// One database for the file (graphile's schema takes ~0.3 s to install); each test uses its
// own job names so leftovers of one cannot run in another.
const db = await useTestDatabase(t);

async function makeEngine(t: Test, options: { concurrency?: number } = {}): Promise<JobEngine> {
  const engine = new JobEngine({ connectionString: db.url, knex: db.knex, logger, ...options });
  // Registered after the database: tap runs teardowns last-in first-out, so workers stop first.
  t.teardown(() => engine.stop());
  await engine.migrate();
  return engine;
}

/** Resolve with the first event matching `match` (after subscribing, so call before triggering). */
function nextEvent(engine: JobEngine, match: (e: JobEvent) => boolean, timeoutMs = 8000): Promise<JobEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a job event'));
    }, timeoutMs);
    const off = engine.onEvent((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Make a job due now without touching its attempts, and wake the workers (as a retry would). */
async function dueNow(id: string): Promise<void> {
  await db.knex.raw('select 1 from graphile_worker.reschedule_jobs(array[?::bigint], run_at := now())', [id]);
  await db.knex.raw(`select pg_notify('jobs:insert', '{"count":1}')`);
}

function def(name: string, handler: JobDefinition['handler'], maxAttempts = 5): JobDefinition {
  return { name, handler, maxAttempts };
}

t.test('a handler runs with its payload and context; progress is stored while it runs', async (t) => {
  const engine = await makeEngine(t);
  const release = deferred();
  const reported = deferred<JobContext>();
  const seen: unknown[] = [];
  await engine.setDefinitions([
    def(
      'test:run-one',
      async (payload, job) => {
        seen.push(payload);
        await job.progress(0.5, 'half way');
        reported.resolve(job);
        await release.promise;
      },
      3,
    ),
  ]);
  await engine.start();

  const done = nextEvent(engine, (e) => e.name === 'test:run-one' && e.type !== 'started');
  const { id } = await engine.enqueue('test:run-one', { site: 'example.org', n: 1 });
  const job = await reported.promise;
  t.same(seen, [{ site: 'example.org', n: 1 }]);
  t.match(job, { id, name: 'test:run-one', attempt: 1, maxAttempts: 3 });
  t.equal(typeof job.logger.info, 'function');

  const running = await engine.get(id);
  t.match(running, {
    id,
    name: 'test:run-one',
    state: 'running',
    attempts: 1,
    maxAttempts: 3,
    progress: 0.5,
    progressMessage: 'half way',
  });
  await t.rejects(job.progress(1.5), { code: 'JOBS_ERR_INVALID_PROGRESS' });
  await t.rejects(job.progress(Number.NaN), { code: 'JOBS_ERR_INVALID_PROGRESS' });
  await t.rejects(engine.retry(id), { code: 'JOBS_ERR_NOT_RETRYABLE', statusCode: 409 }, 'a running job cannot be retried');

  release.resolve();
  const event = await done;
  t.match(event, { type: 'succeeded', id, name: 'test:run-one', attempt: 1 });
  t.equal(await engine.get(id), undefined, 'a finished job is gone');
  await engine.stop();
  const { rows } = await db.knex.raw('select * from hostplane.job_progress where job_id = ?::bigint', [id]);
  t.same(rows, [], 'and so is its progress');
});

t.test('a job enqueued in a rolled-back transaction never exists; a committed one runs', async (t) => {
  const engine = await makeEngine(t);
  const seen: unknown[] = [];
  await engine.setDefinitions([def('test:tx-job', async (payload) => void seen.push(payload))]);
  await engine.start();

  let rolledBackId = '';
  await t.rejects(
    db.knex.transaction(async (trx) => {
      rolledBackId = (await engine.enqueue('test:tx-job', { which: 'rolled back' }, { trx })).id;
      throw new Error('abort');
    }),
  );
  t.equal(await engine.get(rolledBackId), undefined);

  const done = nextEvent(engine, (e) => e.type === 'succeeded' && e.name === 'test:tx-job');
  await db.knex.transaction(async (trx) => {
    await engine.enqueue('test:tx-job', { which: 'committed' }, { trx });
  });
  await done;
  t.same(seen, [{ which: 'committed' }], 'only the committed job ran');
  t.same(await engine.list({ name: 'test:tx-job' }), []);
});

t.test('a job key de-duplicates pending jobs: the last payload wins, it runs once', async (t) => {
  const engine = await makeEngine(t);
  await engine.start();
  // Not defined yet, so both stay pending.
  const first = await engine.enqueue('test:keyed', { v: 1 }, { jobKey: 'site-42' });
  const second = await engine.enqueue('test:keyed', { v: 2 }, { jobKey: 'site-42' });
  t.equal(second.id, first.id, 'same job');
  const listed = await engine.list({ name: 'test:keyed' });
  t.equal(listed.length, 1);
  t.match(listed[0], { key: 'site-42', state: 'waiting' });

  const seen: unknown[] = [];
  const done = nextEvent(engine, (e) => e.type === 'succeeded' && e.name === 'test:keyed');
  await engine.setDefinitions([def('test:keyed', async (payload) => void seen.push(payload))]);
  await done;
  t.same(seen, [{ v: 2 }]);
  t.same(await engine.list({ name: 'test:keyed' }), [], 'nothing left to run again');
});

t.test('a batch of 2,500 jobs goes in chunks and each runs once; keys replace pending jobs as one by one', async (t) => {
  const engine = await makeEngine(t);
  await engine.start();
  await engine.enqueue('test:batch', { n: -1 }, { jobKey: 'batch-k' });
  const jobs = Array.from({ length: 2500 }, (_, n) => ({ payload: { n } }));
  jobs.push({ payload: { n: 9001 }, jobKey: 'batch-k' } as never, { payload: { n: 9002 }, jobKey: 'batch-k' } as never);
  const { count } = await engine.enqueueMany('test:batch', jobs, { priority: 0 } as never);
  t.equal(count, 2501, 'a repeated key counts once');
  t.same(await engine.enqueueMany('test:batch', []), { count: 0 });
  const pending = await db.knex.raw(
    `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
      where k.identifier = 'test:batch'`,
  );
  t.equal(pending.rows[0].n, 2501, 'the pending keyed job was replaced, not doubled');

  const seen = new Map<number, number>();
  let left = 2501;
  const all = deferred();
  await engine.setDefinitions([
    def('test:batch', async (payload) => {
      const n = (payload as { n: number }).n;
      seen.set(n, (seen.get(n) ?? 0) + 1);
      if (--left === 0) all.resolve();
    }),
  ]);
  await all.promise;
  t.equal(seen.size, 2501);
  t.notOk(
    [...seen.values()].some((v) => v !== 1),
    'each ran once',
  );
  t.ok(seen.has(9002) && !seen.has(9001) && !seen.has(-1), 'the last payload of the key ran');
});

t.test('a batch is checked like one job, and is all or nothing', async (t) => {
  const engine = await makeEngine(t);
  await t.rejects(engine.enqueueMany('NoColon', [{ payload: {} }]), { code: 'JOBS_ERR_INVALID_NAME' });
  await t.rejects(engine.enqueueMany('a:b', {} as never), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueueMany('a:b', [{ payload: {} }], { maxAttempts: 0 }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueueMany('a:b', [{ payload: {} }], { trx: {} }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueueMany('a:b', [{ payload: {} }, { payload: {}, jobKey: '' }]), {
    code: 'JOBS_ERR_INVALID_OPTIONS',
  });
  await t.rejects(engine.enqueueMany('a:b', [{ payload: {}, runAt: new Date('nope') }]), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueueMany('a:b', [{ payload: { big: 1n } }]), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  t.same(await engine.list({ name: 'a:b' }), [], 'a refused batch queues nothing, not even its good jobs');

  // A NUL byte is refused by PostgreSQL's json in the second chunk: the first chunk goes too.
  const jobs = Array.from({ length: 1500 }, (_, n) => ({ payload: n === 1200 ? { s: 'a\u0000b' } : { n } }));
  await t.rejects(engine.enqueueMany('test:batch-atomic', jobs));
  t.same(await engine.list({ name: 'test:batch-atomic' }), [], 'a failed chunk takes the whole batch back');
  const later = new Date(Date.now() + 3_600_000);
  await engine.enqueueMany('test:batch-later', [{ payload: {}, runAt: later, priority: 3 }]);
  const [listed] = await engine.list({ name: 'test:batch-later' });
  t.match(listed, { state: 'scheduled' });
  t.equal(Date.parse(listed!.runAt), later.getTime());
});

t.test('a throwing handler is retried with backoff, then dead with its error; retry runs it again', async (t) => {
  const engine = await makeEngine(t);
  let fail = true;
  let runs = 0;
  await engine.setDefinitions([
    def(
      'test:flaky',
      async () => {
        runs++;
        if (fail) throw new Error(`boom ${runs}`);
      },
      2,
    ),
  ]);
  await engine.start();

  let failed = nextEvent(engine, (e) => e.type === 'failed' && e.name === 'test:flaky');
  const { id } = await engine.enqueue('test:flaky', {});
  t.match(await failed, { type: 'failed', id, attempt: 1, maxAttempts: 2, dead: false, error: { message: 'boom 1' } });
  const retrying = await engine.get(id);
  t.match(retrying, { state: 'retrying', attempts: 1, maxAttempts: 2, lastError: 'boom 1' });
  const { rows } = await db.knex.raw(
    'select extract(epoch from run_at - now())::float8 as wait from graphile_worker.jobs where id = ?::bigint',
    [id],
  );
  // graphile's backoff is exp(attempts) seconds: ≈ 2.7 s after the first failure.
  t.ok(rows[0].wait > 1.5 && rows[0].wait < 3, `backs off (${rows[0].wait.toFixed(2)} s)`);

  failed = nextEvent(engine, (e) => e.type === 'failed' && e.name === 'test:flaky');
  await dueNow(id);
  t.match(await failed, { type: 'failed', id, attempt: 2, dead: true, error: { message: 'boom 2' } });
  const dead = await engine.get(id);
  t.match(dead, { id, state: 'dead', attempts: 2, maxAttempts: 2, lastError: 'boom 2' });
  t.same(
    (await engine.list({ state: 'dead', name: 'test:flaky' })).map((j) => j.id),
    [id],
  );
  t.match(await engine.counts(), { dead: 1 });

  fail = false;
  const succeeded = nextEvent(engine, (e) => e.type === 'succeeded' && e.id === id);
  const retried = await engine.retry(id);
  t.match(retried, { id, state: 'waiting', attempts: 0 });
  t.match(await succeeded, { attempt: 1 }, 'attempts start again from 1');
  t.equal(runs, 3);
  t.equal(await engine.get(id), undefined);

  await t.rejects(engine.retry(id), { code: 'JOBS_ERR_NOT_FOUND', statusCode: 404 });
  await t.rejects(engine.retry('not-an-id'), { code: 'JOBS_ERR_NOT_FOUND' });
});

t.test('two engines on one database run each of 50 jobs exactly once', async (t) => {
  const runsById = new Map<string, number>();
  const byEngine = [0, 0];
  const engines = [await makeEngine(t, { concurrency: 4 }), await makeEngine(t, { concurrency: 4 })];
  let finished = 0;
  const all = deferred();
  for (const [index, engine] of engines.entries()) {
    engine.onEvent((e) => {
      if (e.type === 'succeeded' && e.name === 'test:race' && ++finished === 50) all.resolve();
    });
    await engine.setDefinitions([
      def('test:race', async (_payload, job) => {
        runsById.set(job.id, (runsById.get(job.id) ?? 0) + 1);
        byEngine[index]!++;
        // Long enough that both engines get a share of the batch.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }),
    ]);
  }
  // Enqueue all 50 in one commit so both engines see them at once.
  const ids = await db.knex.transaction(async (trx) => {
    const out: string[] = [];
    for (let i = 0; i < 50; i++) out.push((await engines[0]!.enqueue('test:race', { i }, { trx })).id);
    return out;
  });
  await Promise.all(engines.map((e) => e.start()));
  await all.promise;
  t.equal(runsById.size, 50);
  t.ok(
    ids.every((id) => runsById.get(id) === 1),
    'every job ran exactly once',
  );
  t.comment(`runs per engine: ${byEngine.join(' / ')}`);
});

t.test('jobs of names not defined wait; defining them later runs them; a restart lets running jobs finish', async (t) => {
  const engine = await makeEngine(t);
  const release = deferred();
  const started = deferred();
  const ran: string[] = [];
  const known = def('test:known', async () => {
    ran.push('known');
    started.resolve();
    await release.promise;
  });
  await engine.setDefinitions([known]);
  await engine.start();

  const waiting = await engine.enqueue('test:unknown', {});
  const knownDone = nextEvent(engine, (e) => e.type === 'succeeded' && e.name === 'test:known');
  await engine.enqueue('test:known', {});
  await started.promise;
  t.match(await engine.get(waiting.id), { state: 'waiting', attempts: 0 }, 'not fetched: nobody here runs it');

  // Change the names while test:known is running: the new workers start, the old ones drain.
  const unknownDone = nextEvent(engine, (e) => e.type === 'succeeded' && e.name === 'test:unknown');
  await engine.setDefinitions([known, def('test:unknown', async () => void ran.push('unknown'))]);
  t.ok(engine.isDefined('test:unknown'));
  await unknownDone;
  let drained = false;
  const drain = engine.drained().then(() => (drained = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(drained, 'the old workers wait for their running job');
  release.resolve();
  await knownDone;
  await drain;
  t.same(ran.sort(), ['known', 'unknown']);

  // No definitions: no workers; a new job waits.
  await engine.setDefinitions([]);
  await engine.drained();
  const idle = await engine.enqueue('test:known', {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.match(await engine.get(idle.id), { state: 'waiting' });
});

t.test('list filters by state, name and plugin, newest first; counts cover every state', async (t) => {
  const engine = await makeEngine(t);
  const later = new Date(Date.now() + 3600_000);
  const a = await engine.enqueue('listing:one', {});
  const b = await engine.enqueue('listing:two', {}, { runAt: later, priority: 1, queue: 'q1', maxAttempts: 9 });
  const c = await engine.enqueue('listing:one', {});
  t.same(
    (await engine.list({ name: 'listing' })).map((j) => j.id),
    [c.id, b.id, a.id],
  );
  t.same(
    (await engine.list({ name: 'listing:one' })).map((j) => j.id),
    [c.id, a.id],
  );
  t.same(
    (await engine.list({ name: 'listing', state: 'scheduled' })).map((j) => j.id),
    [b.id],
  );
  t.match((await engine.get(b.id))!, { maxAttempts: 9, runAt: later.toISOString().slice(0, 19) });
  t.same(
    (await engine.list({ name: 'listing', limit: 1, offset: 1 })).map((j) => j.id),
    [b.id],
  );
  const counts = await engine.counts();
  t.same(Object.keys(counts).sort(), ['dead', 'interrupted', 'retrying', 'running', 'scheduled', 'waiting']);
  t.ok(counts.waiting >= 2 && counts.scheduled >= 1);
  await t.rejects(engine.list({ limit: 0 }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.list({ state: 'gone' as never }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  t.equal(await engine.get('123456789'), undefined);
  t.equal(await engine.get('x; drop table'), undefined);
});

t.test('names and options are checked', async (t) => {
  const engine = await makeEngine(t);
  await t.rejects(engine.enqueue('NoColon', {}), { code: 'JOBS_ERR_INVALID_NAME', statusCode: 400 });
  await t.rejects(engine.enqueue('a:B', {}), { code: 'JOBS_ERR_INVALID_NAME' });
  await t.rejects(engine.enqueue('a:b', {}, { maxAttempts: 0 }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueue('a:b', {}, { runAt: new Date('nope') }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueue('a:b', {}, { trx: {} }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  await t.rejects(engine.enqueue('a:b', { big: 1n }), { code: 'JOBS_ERR_INVALID_OPTIONS' });
  const noop = async (): Promise<void> => undefined;
  await t.rejects(engine.setDefinitions([def('a:b', noop), def('a:b', noop)]), { code: 'JOBS_ERR_INVALID_DEFINITION' });
  await t.rejects(engine.setDefinitions([def('a:b', noop, 0)]), { code: 'JOBS_ERR_INVALID_DEFINITION' });
  await t.rejects(engine.setDefinitions([def('bad', noop)]), { code: 'JOBS_ERR_INVALID_NAME' });
  await engine.stop();
  await t.rejects(engine.start(), { code: 'JOBS_ERR_STOPPED' });
  await engine.stop();
});
