/**
 * Which job workers are alive, so the jobs of a dead one are retried in seconds. graphile-worker
 * frees a job locked by a worker that vanished (`kill -9`, a crashed machine) only after four
 * hours; until then the job shows `running` and nothing runs it.
 *
 * Each engine holds a session advisory lock `(LIVENESS_NAMESPACE, engineKey)` on a connection of
 * its own for as long as it lives, and records each of its graphile workers in
 * `hostplane.job_workers` before the worker fetches its first job (graphile's `startWorker`
 * hook). PostgreSQL drops the lock with the connection, at once when the process dies and
 * within the TCP keepalive below when its machine does. A sweep (at start and periodically, on
 * every engine) takes the lock of each recorded engine in a transaction: when it gets it, the
 * engine is dead, and its workers' jobs are unlocked (`force_unlock_workers`) with the reason
 * as their last error, so graphile retries them now. The admin view uses the same lock (through
 * `pg_locks`) to show such a job as `interrupted` rather than `running` before the sweep.
 */
import { hostname } from 'node:os';
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import pg from 'pg';

/** First key of the engines' advisory locks (`'HPJW'`); the second is the engine key. */
export const LIVENESS_NAMESPACE = 0x48504a57;

/**
 * SQL true when the engine of worker row `w` holds its lock: someone in this database holds
 * advisory lock `(LIVENESS_NAMESPACE, w.engine_key)` (a two-int4 lock shows as objsubid 2).
 */
export const ENGINE_ALIVE_SQL = `exists (select 1 from pg_locks l
  where l.locktype = 'advisory' and l.granted and l.objsubid = 2
    and l.classid = ${LIVENESS_NAMESPACE}::oid and l.objid = w.engine_key::oid
    and l.database = (select oid from pg_database where datname = current_database()))`;

/** Options of {@link WorkerLiveness}. */
export interface WorkerLivenessOptions {
  connectionString: string;
  knex: Knex;
  logger: Logger;
}

/** This process's liveness lock, its workers' records, and the sweep for dead ones. */
export class WorkerLiveness {
  readonly #options: WorkerLivenessOptions;
  readonly #workers = new Set<string>();
  #client: pg.Client | undefined;
  #key = 0;
  #stopped = false;

  constructor(options: WorkerLivenessOptions) {
    this.#options = options;
  }

  /** Take a free engine key and hold its lock; jobs of an earlier engine with that key are freed. */
  async start(): Promise<void> {
    this.#client = await this.#connect();
    for (;;) {
      const key = 1 + Math.floor(Math.random() * 0x7ffffffe);
      const { rows } = await this.#client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
        LIVENESS_NAMESPACE,
        key,
      ]);
      if (!rows[0]?.ok) continue;
      this.#key = key;
      break;
    }
    // Rows left under this key belong to an engine that died before us: we hold its lock now.
    await this.#options.knex.transaction((trx) => this.#free(trx, this.#key));
  }

  /** Record graphile worker `workerId` as ours; retried until it is (the worker waits for it). */
  async register(workerId: string): Promise<void> {
    this.#workers.add(workerId);
    for (let delay = 100; !this.#stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.#insert([workerId]);
        return;
      } catch (err) {
        this.#options.logger.warn({ err, workerId }, `could not record job worker; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Forget a worker that stopped (its jobs are done or released by graphile). */
  async unregister(workerId: string): Promise<void> {
    this.#workers.delete(workerId);
    await this.#options.knex('hostplane.job_workers').where({ worker_id: workerId }).delete();
  }

  /** Free the jobs of every engine whose lock is gone. Returns how many jobs were freed. */
  async sweep(): Promise<number> {
    const { knex } = this.#options;
    const keys = await knex('hostplane.job_workers').whereNot({ engine_key: this.#key }).distinct().pluck('engine_key');
    let freed = 0;
    for (const key of keys as number[]) {
      freed += await knex.transaction(async (trx) => {
        // Got it: nobody holds it, so that engine is dead (a sweeper elsewhere would hold it too).
        const { rows } = await trx.raw<{ rows: Array<{ free: boolean }> }>('select pg_try_advisory_xact_lock(?, ?) as free', [
          LIVENESS_NAMESPACE,
          key,
        ]);
        return rows[0]?.free ? this.#free(trx, key) : 0;
      });
    }
    return freed;
  }

  /** Drop our records and our lock. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    await this.#options.knex('hostplane.job_workers').where({ engine_key: this.#key }).delete();
    await client.end().catch(() => undefined);
  }

  /** The lock connection, with server-side keepalives so a vanished machine drops it too. */
  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#options.connectionString, keepAlive: true });
    client.on('error', (err) => this.#options.logger.warn({ err }, 'job worker liveness connection failed'));
    client.on('end', () => {
      if (this.#client === client && !this.#stopped) void this.#reconnect();
    });
    await client.connect();
    await client.query('set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3');
    return client;
  }

  /**
   * The lock connection dropped while we live: take the same key again and record our workers
   * again. Until then other engines may take us for dead and retry our running jobs.
   */
  async #reconnect(): Promise<void> {
    this.#options.logger.error('job worker liveness lock lost; taking it again');
    for (let delay = 500; !this.#stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        const client = await this.#connect();
        await client.query('select pg_advisory_lock($1, $2)', [LIVENESS_NAMESPACE, this.#key]);
        this.#client = client;
        if (this.#workers.size > 0) await this.#insert([...this.#workers]);
        return;
      } catch (err) {
        this.#options.logger.warn({ err }, `could not take the job worker liveness lock again; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #insert(workerIds: string[]): Promise<void> {
    const rows = workerIds.map((worker_id) => ({ worker_id, engine_key: this.#key, hostname: hostname(), pid: process.pid }));
    await this.#options.knex('hostplane.job_workers').insert(rows).onConflict('worker_id').merge();
  }

  /** Unlock the jobs of engine `key`'s workers (caller holds its lock) and forget the workers. */
  async #free(trx: Knex.Transaction, key: number): Promise<number> {
    const dead = await trx('hostplane.job_workers')
      .where({ engine_key: key })
      .delete()
      .returning<Array<{ worker_id: string; hostname: string; pid: number }>>(['worker_id', 'hostname', 'pid']);
    if (dead.length === 0) return 0;
    const ids = dead.map((w) => w.worker_id);
    const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
      `update graphile_worker._private_jobs j
         set last_error = 'interrupted: its worker ' || w.worker_id || ' (host ' || w.hostname || ', pid ' || w.pid ||
           ') stopped while running it'
       from unnest(?::text[], ?::text[], ?::int[]) as w(worker_id, hostname, pid)
       where j.locked_by = w.worker_id
       returning j.id::text as id`,
      [ids, dead.map((w) => w.hostname), dead.map((w) => w.pid)],
    );
    await trx.raw('select graphile_worker.force_unlock_workers(?::text[])', [ids]);
    if (rows.length > 0) {
      // Workers wake on this channel (add_job sends it); without it they would wait for a poll.
      await trx.raw(`select pg_notify('jobs:insert', '{"count":1}')`);
      this.#options.logger.warn(
        { jobs: rows.map((r) => r.id), workers: dead },
        'jobs of a dead job worker released; they are retried now',
      );
    }
    return rows.length;
  }
}

/**
 * The graphile-worker plugin that records a runner's workers: graphile awaits `startWorker`
 * before a worker fetches its first job, so a worker is on record before it can lock one.
 */
export function livenessPlugin(liveness: WorkerLiveness, logger: Logger): GraphileConfig.Plugin {
  return {
    name: 'HostplaneWorkerLiveness',
    version: '0.0.0',
    worker: {
      hooks: {
        startWorker: (_ctx, { worker }) => liveness.register(worker.workerId),
        stopWorker: (_ctx, { worker }) =>
          liveness.unregister(worker.workerId).catch((err: unknown) => logger.warn({ err }, 'could not forget job worker')),
      },
    },
  };
}
