/**
 * Durable jobs on graphile-worker 0.16 (DESIGN.md, "Jobs, schedules, tasks"). Plugins never
 * see graphile-worker: they get the SDK's `JobsService`, built by the kernel on this engine.
 *
 * - Enqueue is `graphile_worker.add_job(...)` in SQL on the caller's knex transaction, so a
 *   job exists only if the caller commits.
 * - Workers run only the job names they were given ({@link JobEngine.setDefinitions}):
 *   graphile fetches only jobs whose name it knows, so jobs of a disabled plugin wait.
 * - Workers wake on LISTEN/NOTIFY (milliseconds), poll as a fallback.
 * - Jobs of a worker that died (its process killed) are retried within a sweep interval, not
 *   graphile's four hours ({@link WorkerLiveness}).
 */
import { EventEmitter } from 'node:events';
import type { BatchJob, EnqueueManyOptions, EnqueueOptions, JobContext, JobInfo, JobState, Logger } from '@hostplane/sdk';
import { runMigrations, runTaskList, type Job, type TaskList, type WorkerEvents, type WorkerPool } from 'graphile-worker';
import type { Knex } from 'knex';
import pg from 'pg';
import type { JobAdmin, JobQueueStat } from '../kernel-api.js';
import { ADD_JOBS_SQL, batchChunks, checkMaxAttempts, checkQueue, checkTrx, jobSpec, SMALLINT_MAX } from './enqueue-args.js';
import { JobErrors } from './errors.js';
import { graphileLogger } from './graphile-logger.js';
import { JobAdminView } from './job-admin.js';
import { deleteProgress, writeProgress } from './job-progress.js';
import { isQualifiedName } from './names.js';
import { QueueVacuum } from './queue-vacuum.js';
import { livenessPlugin, WorkerLiveness } from './worker-liveness.js';

/** A job name the workers run, with its handler. */
export interface JobDefinition {
  /** `<plugin-id>:<verb-noun>`. */
  name: string;
  /** Throw to fail the attempt; it is retried with exponential backoff until `maxAttempts`. */
  handler: (payload: unknown, job: JobContext) => Promise<void>;
  /** Attempts before the job is dead; used when the enqueuer does not say. */
  maxAttempts: number;
}

/** Options of {@link JobEngine}. */
export interface JobEngineOptions {
  /** PostgreSQL the workers connect to (their own small pool: LISTEN needs a dedicated client). */
  connectionString: string;
  /** The kernel's knex, for enqueue, progress and the admin view. */
  knex: Knex;
  logger: Logger;
  /** Jobs run at once by this process. Default 4. */
  concurrency?: number;
  /** Fallback poll for jobs that became due without a notification (retries, `runAt`). Default 2000 ms. */
  pollInterval?: number;
  /** How often running workers look for dead ones and free their jobs. Default 10 000 ms. */
  deadWorkerSweepInterval?: number;
}

/** Options of {@link JobEngine.enqueue}: the SDK's, with the transaction typed. */
export interface JobEnqueueOptions extends Omit<EnqueueOptions, 'trx'> {
  /** Enqueue inside this knex transaction (a `Knex.Transaction`): the job exists only if it commits. */
  trx?: Knex.Transaction | unknown;
}

/** What every job event carries. */
export interface JobEventBase {
  id: string;
  name: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

/**
 * What the engine reports, for metrics and tests. `succeeded` and `failed` are sent after the
 * outcome is written to the database.
 */
export type JobEvent =
  | (JobEventBase & { type: 'started' })
  | (JobEventBase & { type: 'succeeded'; durationMs: number })
  | (JobEventBase & {
      type: 'failed';
      durationMs: number;
      error: unknown;
      /** No attempts left: the job stays as a dead row with its error. */
      dead: boolean;
    });

/** Attempts when neither the enqueuer nor a definition says (the SDK's documented default). */
export const DEFAULT_MAX_ATTEMPTS = 5;

const ADD_JOB_SQL = `select id::text as id from graphile_worker.add_job(
  identifier => ?, payload => ?::json, queue_name => ?, run_at => ?::timestamptz,
  max_attempts => ?::int, job_key => ?, priority => ?::int)`;

/**
 * The same inside a caller's transaction, which may be a plugin's: its role has no right on
 * graphile_worker, so it goes through the owner's SECURITY DEFINER wrapper (core migration
 * 0008_plugin_roles), which also refuses another plugin's job name.
 */
const ADD_JOB_IN_TRX_SQL = `select hostplane.add_plugin_job(?, ?::json, ?, ?::timestamptz, ?::int, ?, ?::int) as id`;

/**
 * graphile's schema, pinned: graphile would otherwise take it from GRAPHILE_WORKER_SCHEMA or a
 * `.graphile-workerrc`, while our SQL (enqueue, admin view) names it.
 */
const WORKER_SCHEMA = 'graphile_worker';

/**
 * On a fresh database, graphile-worker finds out that its schema is missing by querying
 * `graphile_worker.migrations` and catching the error, which PostgreSQL writes to its log as
 * `ERROR: relation "graphile_worker.migrations" does not exist`: the first thing a newcomer saw.
 * Creating the bookkeeping table first, with exactly the statements of graphile-worker 0.16's
 * own bootstrap (`installSchema` in its migrate.js; all `if not exists`, so a no-op once it
 * exists), lets its first query succeed; its migrations then run from the start as before.
 */
async function bootstrapSchema(client: { query(sql: string): Promise<{ rows: Array<{ exists: boolean }> }> }): Promise<void> {
  const { rows } = await client.query(`select to_regclass('${WORKER_SCHEMA}.migrations') is not null as exists`);
  if (rows[0]?.exists) return;
  await client.query(`
    create schema if not exists ${WORKER_SCHEMA};
    create table if not exists ${WORKER_SCHEMA}.migrations(
      id int primary key,
      ts timestamptz default now() not null
    );
    alter table ${WORKER_SCHEMA}.migrations add column if not exists breaking boolean not null default false;
  `);
}

/** Key of the advisory lock that keeps two hosts from migrating graphile's schema at once. */
const MIGRATE_LOCK = 'hostplane:graphile-worker:migrate';

/** One graphile worker pool and the definitions it was started with. */
interface RunnerState {
  pool: WorkerPool;
  /** Handlers by name; updated in place when only handlers change (no restart needed). */
  definitions: Map<string, JobDefinition>;
  /** Set once we asked it to stop (graphile refuses a second shutdown). */
  stopping: Promise<void> | undefined;
}

/** Durable jobs: enqueue, run, report progress, administer (it is the kernel's {@link JobAdmin}). */
export class JobEngine implements JobAdmin {
  readonly #admin: JobAdminView;
  readonly #knex: Knex;
  readonly #logger: Logger;
  readonly #pool: pg.Pool;
  readonly #concurrency: number;
  readonly #pollInterval: number;
  readonly #events = new EventEmitter();
  #definitions = new Map<string, JobDefinition>();
  #runner: RunnerState | undefined;
  readonly #retiring = new Set<Promise<void>>();
  /** Side effects (progress clean-up) still in flight; awaited by stop(). */
  readonly #pending = new Set<Promise<void>>();
  readonly #startedAt = new Map<string, number>();
  /** Jobs running here that reported progress, so only their rows need deleting afterwards. */
  readonly #reportedProgress = new Set<string>();
  #started = false;
  #stopped = false;
  #restartTimer: NodeJS.Timeout | undefined;
  readonly #liveness: WorkerLiveness;
  readonly #sweepInterval: number;
  #sweepTimer: NodeJS.Timeout | undefined;
  readonly #vacuum: QueueVacuum;
  #restartDelay = 1000;
  /** setDefinitions/start/stop run one at a time, in call order. */
  #lifecycle: Promise<unknown> = Promise.resolve();

  constructor(options: JobEngineOptions) {
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw JobErrors.invalidOptions('concurrency must be a positive integer');
    this.#knex = options.knex;
    this.#logger = options.logger.child({ component: 'jobs' });
    this.#concurrency = concurrency;
    this.#pollInterval = options.pollInterval ?? 2000;
    // Room for two overlapping runners during a restart (each: its workers + one LISTEN client).
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 2 * (concurrency + 1) + 2 });
    // Without a listener, a connection the server terminates (restart, shutdown, idle kill)
    // throws an unhandled 'error' event and takes the process down (RECIPES.md).
    this.#pool.on('error', (err) => this.#logger.warn({ err }, 'idle job-worker connection failed'));
    this.#admin = new JobAdminView(options.knex);
    this.#liveness = new WorkerLiveness({ connectionString: options.connectionString, knex: options.knex, logger: this.#logger });
    this.#sweepInterval = options.deadWorkerSweepInterval ?? 10_000;
    this.#vacuum = new QueueVacuum(this.#pool, `${WORKER_SCHEMA}._private_jobs`, this.#logger);
  }

  /** Install or upgrade graphile-worker's schema (`graphile_worker`). Safe to run on many hosts at once. */
  async migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      // graphile does not serialise concurrent migrations itself.
      await client.query('select pg_advisory_lock(hashtext($1))', [MIGRATE_LOCK]);
      try {
        await bootstrapSchema(client);
        await runMigrations({ pgPool: this.#pool, schema: WORKER_SCHEMA, logger: graphileLogger(this.#logger) });
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [MIGRATE_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** Start running jobs (needs {@link JobEngine.migrate} to have run on this database). */
  start(): Promise<void> {
    return this.#serially(async () => {
      if (this.#stopped) throw JobErrors.stopped();
      if (this.#started) return;
      this.#started = true;
      await this.#liveness.start();
      await this.sweepDeadWorkers();
      this.#sweepTimer = setInterval(() => void this.sweepDeadWorkers(), this.#sweepInterval);
      this.#sweepTimer.unref();
      await this.#apply();
    });
  }

  /**
   * Free the jobs of workers whose process is gone, so they are retried now (runs at start and
   * every `deadWorkerSweepInterval` while started). Returns how many jobs were freed.
   */
  async sweepDeadWorkers(): Promise<number> {
    try {
      return await this.#liveness.sweep();
    } catch (err) {
      this.#logger.warn({ err }, 'could not look for dead job workers');
      return 0;
    }
  }

  /**
   * Run exactly these job names from now on. Names that disappear are no longer fetched (their
   * jobs wait in the queue); jobs already running finish on the previous workers. Resolves once
   * the new workers run; {@link JobEngine.drained} tells when the previous ones are done.
   */
  setDefinitions(defs: readonly JobDefinition[]): Promise<void> {
    let next: Map<string, JobDefinition>;
    try {
      next = checkDefinitions(defs);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#serially(async () => {
      if (this.#stopped) throw JobErrors.stopped();
      this.#definitions = next;
      if (this.#started) await this.#apply();
    });
  }

  /** True when a job of this name runs in this process. */
  isDefined(name: string): boolean {
    return this.#definitions.has(name);
  }

  /** Resolves when workers replaced by {@link JobEngine.setDefinitions} have finished their jobs. */
  async drained(): Promise<void> {
    while (this.#retiring.size > 0) await Promise.all(this.#retiring);
  }

  /**
   * Enqueue job `name` (any well-formed name: it runs wherever that name is defined, and waits
   * until then). With `trx`, the job exists only if that transaction commits. A pending job
   * with the same `jobKey` is replaced (payload, run time, attempts reset), not doubled.
   */
  async enqueue(name: string, payload: unknown, options: JobEnqueueOptions = {}): Promise<{ id: string }> {
    if (!isQualifiedName(name)) throw JobErrors.invalidName(name);
    const { trx, queue } = options;
    const maxAttempts = options.maxAttempts ?? this.#definitions.get(name)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    checkTrx(trx);
    const spec = jobSpec({ payload, jobKey: options.jobKey, runAt: options.runAt, priority: options.priority });
    checkMaxAttempts(maxAttempts);
    checkQueue(queue);
    const db = (trx as Knex | Knex.Transaction | undefined) ?? this.#knex;
    const result = await db.raw<{ rows: Array<{ id: string }> }>(trx === undefined ? ADD_JOB_SQL : ADD_JOB_IN_TRX_SQL, [
      name,
      spec.payload,
      queue ?? null,
      spec.runAt,
      maxAttempts,
      spec.jobKey,
      spec.priority,
    ]);
    const id = result.rows[0]?.id;
    // add_job returns no row only if a concurrent enqueue with the same key won a race on a
    // locked job; graphile then keeps the other one.
    // (A lost race on a locked job's key gives a row with a null id instead; kept as before: the
    // job with that key exists either way.)
    if (id === undefined) throw JobErrors.invalidOptions(`job key "${spec.jobKey ?? ''}" is busy, try again`);
    return { id };
  }

  /**
   * Enqueue many jobs of `name` in one statement per thousand (graphile's `add_jobs`, through
   * the owner's wrapper), with {@link JobEngine.enqueue}'s checks and key semantics. Returns how
   * many were queued (jobs sharing a key count once).
   */
  async enqueueMany(
    name: string,
    jobs: ReadonlyArray<BatchJob<unknown>>,
    options: Omit<EnqueueManyOptions, 'trx'> & { trx?: Knex.Transaction | unknown } = {},
  ): Promise<{ count: number }> {
    if (!isQualifiedName(name)) throw JobErrors.invalidName(name);
    if (!Array.isArray(jobs)) throw JobErrors.invalidOptions('jobs must be an array');
    const { trx, queue } = options;
    const maxAttempts = options.maxAttempts ?? this.#definitions.get(name)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    checkTrx(trx);
    checkMaxAttempts(maxAttempts);
    checkQueue(queue);
    const { chunks, count } = batchChunks(jobs);
    if (chunks.length === 0) return { count: 0 };
    const run = async (db: Knex | Knex.Transaction): Promise<void> => {
      for (const chunk of chunks) await db.raw(ADD_JOBS_SQL, [name, chunk, queue ?? null, maxAttempts]);
    };
    // Outside a caller's transaction the chunks still go in one: all of the batch or none.
    if (trx === undefined) await this.#knex.transaction(run);
    else await run(trx as Knex.Transaction);
    return { count };
  }

  /** Jobs, newest first, filtered by state and by job name (or plugin id: a name without `:`). */
  list(filter?: { state?: JobState; name?: string; limit?: number; offset?: number }): Promise<JobInfo[]> {
    return this.#admin.list(filter);
  }

  /** One job with its progress, or undefined (finished jobs are deleted). */
  get(id: string): Promise<JobInfo | undefined> {
    return this.#admin.get(id);
  }

  /** Run a dead or retrying job again now, attempts reset (JOBS_ERR_NOT_FOUND, JOBS_ERR_NOT_RETRYABLE). */
  retry(id: string): Promise<JobInfo> {
    return this.#admin.retry(id);
  }

  /** Job counts by state, for metrics. */
  counts(): Promise<Record<JobState, number>> {
    return this.#admin.counts();
  }

  /** Jobs by name and state with the oldest waiting job's age, for metrics. */
  queueStats(): Promise<JobQueueStat[]> {
    return this.#admin.queueStats();
  }

  /** Listen to job events; returns an unsubscribe. A throwing listener is logged, not propagated. */
  onEvent(listener: (event: JobEvent) => void): () => void {
    const safe = (event: JobEvent): void => {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err }, 'job event listener threw');
      }
    };
    this.#events.on('event', safe);
    return () => this.#events.off('event', safe);
  }

  /**
   * Stop: no new jobs are fetched, running ones finish, then the workers' connections close.
   * Call before the database goes away. Idempotent.
   */
  stop(): Promise<void> {
    return this.#serially(async () => {
      if (this.#stopped) return;
      this.#stopped = true;
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      if (this.#sweepTimer) clearInterval(this.#sweepTimer);
      if (this.#runner) this.#retire(this.#runner);
      this.#runner = undefined;
      await this.drained();
      while (this.#pending.size > 0) await Promise.allSettled(this.#pending);
      await this.#liveness.stop().catch((err: unknown) => this.#logger.warn({ err }, 'could not drop job worker records'));
      await this.#pool.end();
    });
  }

  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lifecycle.then(fn, fn);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  /** Bring the workers in line with the definitions. */
  async #apply(): Promise<void> {
    const current = this.#runner;
    const wanted = this.#definitions;
    if (current && sameNames(current.definitions, wanted)) {
      // Same names: graphile's task list is unchanged, so swap the handlers in place.
      current.definitions.clear();
      for (const [name, def] of wanted) current.definitions.set(name, def);
      return;
    }
    // Start the new workers before retiring the old ones: no gap in which nothing runs, and
    // the database's row locks keep a job from running twice.
    this.#runner = wanted.size > 0 ? this.#startRunner(new Map(wanted)) : undefined;
    if (current) this.#retire(current);
  }

  #startRunner(definitions: Map<string, JobDefinition>): RunnerState {
    const events = new EventEmitter() as WorkerEvents;
    events.on('job:start', ({ job }) => this.#onStart(job));
    events.on('job:complete', ({ job, error }) => this.#onComplete(job, error));
    const taskList: TaskList = {};
    for (const name of definitions.keys()) {
      taskList[name] = async (payload, helpers) => {
        const def = definitions.get(name);
        // Only if a handler swap removed it mid-flight, which #apply never does.
        if (!def) throw JobErrors.unknownJob(name);
        // Return nothing: graphile reads a returned array as per-item batch results.
        await def.handler(payload, this.#context(helpers.job));
      };
    }
    const pool = runTaskList(
      {
        schema: WORKER_SCHEMA,
        concurrency: this.#concurrency,
        pollInterval: this.#pollInterval,
        // The host owns signals and shuts us down through stop().
        noHandleSignals: true,
        logger: graphileLogger(this.#logger),
        events,
        preset: { plugins: [livenessPlugin(this.#liveness, this.#logger)] },
      },
      taskList,
      this.#pool,
    );
    const state: RunnerState = { pool, definitions, stopping: undefined };
    pool.promise.then(
      () => this.#onRunnerEnded(state),
      (err: unknown) => this.#onRunnerEnded(state, err),
    );
    return state;
  }

  /** Gracefully stop a runner in the background (running jobs finish); tracked by drained(). */
  #retire(state: RunnerState): void {
    if (state.stopping) return;
    const done = state.pool.gracefulShutdown('definitions changed or engine stopping').catch((err: unknown) => {
      this.#logger.error({ err }, 'job workers did not shut down cleanly');
    });
    state.stopping = done;
    this.#retiring.add(done);
    void done.finally(() => this.#retiring.delete(done));
  }

  /** A runner ended: expected if we stopped it; otherwise (fatal DB error) start a new one later. */
  #onRunnerEnded(state: RunnerState, err?: unknown): void {
    if (state.stopping || this.#runner !== state) return;
    this.#logger.error({ err }, `job workers stopped unexpectedly; restarting in ${this.#restartDelay} ms`);
    state.stopping = Promise.resolve();
    this.#runner = undefined;
    const delay = this.#restartDelay;
    this.#restartDelay = Math.min(delay * 2, 30_000);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#serially(async () => {
        if (!this.#stopped && !this.#runner) await this.#apply();
      }).catch((e: unknown) => this.#logger.error({ err: e }, 'restarting job workers failed'));
    }, delay);
    this.#restartTimer.unref();
  }

  #context(job: Job): JobContext {
    const id = String(job.id);
    const parent = this.#logger;
    let logger: Logger | undefined;
    return {
      id,
      name: job.task_identifier,
      attempt: job.attempts,
      maxAttempts: job.max_attempts,
      // Made on first use: most handlers never log, and a child logger per job adds up.
      get logger(): Logger {
        return (logger ??= parent.child({ jobId: id, job: job.task_identifier, attempt: job.attempts }));
      },
      progress: (fraction, message) => {
        this.#reportedProgress.add(id);
        return writeProgress(this.#knex, id, fraction, message);
      },
    };
  }

  #onStart(job: Job): void {
    const id = String(job.id);
    this.#startedAt.set(id, performance.now());
    this.#emit({ type: 'started', ...base(job) });
  }

  #onComplete(job: Job, error: unknown): void {
    const id = String(job.id);
    const started = this.#startedAt.get(id);
    this.#startedAt.delete(id);
    const reported = this.#reportedProgress.delete(id);
    const durationMs = started === undefined ? 0 : performance.now() - started;
    // The database answered: a later crash restarts quickly again.
    this.#restartDelay = 1000;
    const vacuum = this.#vacuum.finished();
    if (vacuum) this.#track(vacuum);
    if (error) {
      this.#emit({ type: 'failed', ...base(job), durationMs, error, dead: job.attempts >= job.max_attempts });
      return;
    }
    // graphile deleted the job row, so its progress row is an orphan now. Only a job that
    // reported progress has one (this attempt here, or an earlier one, maybe elsewhere): an
    // unconditional delete would cost every job a round trip.
    if (reported || job.attempts > 1) {
      this.#track(
        deleteProgress(this.#knex, id).catch((err: unknown) => {
          this.#logger.warn({ err, jobId: id }, 'could not delete progress of a finished job');
        }),
      );
    }
    this.#emit({ type: 'succeeded', ...base(job), durationMs });
  }

  /** A side effect stop() waits for. */
  #track(work: Promise<void>): void {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  #emit(event: JobEvent): void {
    this.#events.emit('event', event);
  }
}

/** Definitions by name; throws on a malformed or duplicate one. */
function checkDefinitions(defs: readonly JobDefinition[]): Map<string, JobDefinition> {
  const next = new Map<string, JobDefinition>();
  for (const def of defs) {
    if (!isQualifiedName(def.name)) throw JobErrors.invalidName(def.name);
    if (next.has(def.name)) throw JobErrors.invalidDefinition(def.name, 'defined twice');
    if (typeof def.handler !== 'function') throw JobErrors.invalidDefinition(def.name, 'handler must be a function');
    if (!Number.isInteger(def.maxAttempts) || def.maxAttempts < 1 || def.maxAttempts > SMALLINT_MAX) {
      throw JobErrors.invalidDefinition(def.name, `maxAttempts must be an integer from 1 to ${SMALLINT_MAX}`);
    }
    next.set(def.name, def);
  }
  return next;
}

function base(job: Job): JobEventBase {
  return { id: String(job.id), name: job.task_identifier, attempt: job.attempts, maxAttempts: job.max_attempts };
}

function sameNames(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const name of a.keys()) if (!b.has(name)) return false;
  return true;
}
