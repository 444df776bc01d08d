/**
 * The admin view of durable jobs (`KernelApi.jobs`): list, inspect, retry and count the rows
 * of graphile-worker's queue, with the progress jobs reported.
 */
import type { JobInfo, JobState } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { JobAdmin, JobQueueStat } from '../kernel-api.js';
import { JobErrors } from './errors.js';
import { ENGINE_ALIVE_SQL } from './worker-liveness.js';

/** Every state, in the order counts are reported. */
export const JOB_STATES: readonly JobState[] = ['waiting', 'scheduled', 'running', 'interrupted', 'retrying', 'dead'];

/** True for a job locked by a recorded worker whose process is gone (alias `j`, worker row `w`). */
const INTERRUPTED_SQL = `(j.locked_at is not null and w.worker_id is not null and not ${ENGINE_ALIVE_SQL})`;

/**
 * A job's state from its graphile row (alias `j`, its worker's row `w` joined on `locked_by`).
 * Order matters: a job locked by a dead worker is interrupted (retried at the next sweep); a
 * locked job is running even when this is its last attempt; a job out of attempts stays as a
 * row with its last error, which is what "dead" means (graphile never deletes it on its own).
 */
const STATE_SQL = `case
    when ${INTERRUPTED_SQL} then 'interrupted'
    when j.locked_at is not null then 'running'
    when j.attempts >= j.max_attempts then 'dead'
    when j.attempts > 0 then 'retrying'
    when j.run_at > now() then 'scheduled'
    else 'waiting'
  end`;

/** Worker row `w` of job `j`'s locker (none when unlocked, or locked by an unrecorded worker). */
const JOIN_WORKER = 'left join hostplane.job_workers w on w.worker_id = j.locked_by';

/** Columns of a {@link JobInfo} from `graphile_worker.jobs` (the public view) as `j`. */
const SELECT_INFO = `select j.id::text as id, j.task_identifier as name, ${STATE_SQL} as state,
    j.attempts::int as attempts, j.max_attempts::int as max_attempts, j.run_at,
    case when ${INTERRUPTED_SQL}
      then 'interrupted: its worker ' || w.worker_id || ' (host ' || w.hostname || ', pid ' || w.pid ||
        ') stopped while running it; it is retried shortly'
      else j.last_error end as last_error,
    j.created_at, j.key, p.progress, p.message as progress_message
  from graphile_worker.jobs j
  ${JOIN_WORKER}
  left join hostplane.job_progress p on p.job_id = j.id`;

interface InfoRow {
  id: string;
  name: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: Date | string;
  last_error: string | null;
  created_at: Date | string;
  key: string | null;
  progress: number | null;
  progress_message: string | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function toInfo(row: InfoRow): JobInfo {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: iso(row.run_at),
    lastError: row.last_error,
    progress: row.progress,
    progressMessage: row.progress_message,
    createdAt: iso(row.created_at),
    key: row.key,
  };
}

/**
 * Job ids are bigints; anything else cannot name a job (and must not reach a cast). At most 18
 * digits: 19 would admit values past bigint's 2^63 - 1, which the cast refuses with an error.
 */
const JOB_ID = /^[1-9][0-9]{0,17}$/;

const MAX_LIMIT = 1000;

/** {@link JobAdmin} on graphile-worker's tables through `knex`. */
export class JobAdminView implements Omit<JobAdmin, 'onEvent'> {
  readonly #knex: Knex;

  constructor(knex: Knex) {
    this.#knex = knex;
  }

  /**
   * Jobs, newest first. `name` with a `:` matches one job name; without, it matches every job
   * of that plugin.
   */
  async list(filter: { state?: JobState; name?: string; limit?: number; offset?: number } = {}): Promise<JobInfo[]> {
    const limit = filter.limit ?? 50;
    const offset = filter.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw JobErrors.invalidOptions(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw JobErrors.invalidOptions('offset must be a non-negative integer');
    if (filter.state !== undefined && !JOB_STATES.includes(filter.state)) {
      throw JobErrors.invalidOptions(`state must be one of ${JOB_STATES.join(', ')}`);
    }
    const where: string[] = [];
    const bindings: Array<string | number> = [];
    if (filter.state !== undefined) {
      where.push('s.state = ?');
      bindings.push(filter.state);
    }
    if (filter.name !== undefined) {
      if (filter.name.includes(':')) {
        where.push('s.name = ?');
        bindings.push(filter.name);
      } else {
        // Plugin ids are kebab-case, so no LIKE wildcard can hide in one; escape anyway.
        where.push(`s.name like ? escape '\\'`);
        bindings.push(`${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`);
      }
    }
    const sql = `select * from (${SELECT_INFO}) s
      ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
      order by s.id::bigint desc limit ? offset ?`;
    const result = await this.#knex.raw<{ rows: InfoRow[] }>(sql, [...bindings, limit, offset]);
    return result.rows.map(toInfo);
  }

  /** One job, or undefined when there is none (finished jobs are deleted by graphile). */
  async get(id: string): Promise<JobInfo | undefined> {
    return this.#get(this.#knex, id);
  }

  async #get(db: Knex | Knex.Transaction, id: string): Promise<JobInfo | undefined> {
    if (!JOB_ID.test(id)) return undefined;
    const result = await db.raw<{ rows: InfoRow[] }>(`${SELECT_INFO} where j.id = ?::bigint`, [id]);
    const row = result.rows[0];
    return row ? toInfo(row) : undefined;
  }

  /**
   * Run a dead or retrying job again now with its attempts reset (its last error stays until
   * the next run replaces or clears it). A running job cannot be retried (JOBS_ERR_NOT_RETRYABLE),
   * nor can a waiting or scheduled one, which has not failed.
   */
  async retry(id: string): Promise<JobInfo> {
    if (!JOB_ID.test(id)) throw JobErrors.notFound(id);
    return this.#knex.transaction(async (trx) => {
      // Lock the row so a worker cannot pick it between our check and the reschedule.
      const locked = await trx.raw<{ rows: Array<{ state: JobState }> }>(
        `select ${STATE_SQL} as state from graphile_worker._private_jobs j ${JOIN_WORKER} where j.id = ?::bigint for update of j`,
        [id],
      );
      const state = locked.rows[0]?.state;
      if (state === undefined) throw JobErrors.notFound(id);
      if (state !== 'dead' && state !== 'retrying') throw JobErrors.notRetryable(id, state);
      await trx.raw('select 1 from graphile_worker.reschedule_jobs(array[?::bigint], run_at := now(), attempts := 0)', [id]);
      // graphile's workers wake on this channel (add_job sends it); without it the job would
      // wait for the next poll. Delivered when the transaction commits.
      await trx.raw(`select pg_notify('jobs:insert', '{"count":1}')`);
      const info = await this.#get(trx, id);
      if (!info) throw JobErrors.notFound(id);
      return info;
    });
  }

  /** How many jobs are in each state. */
  async counts(): Promise<Record<JobState, number>> {
    const result = await this.#knex.raw<{ rows: Array<{ state: JobState; count: number }> }>(
      `select s.state, count(*)::int as count
       from (select ${STATE_SQL} as state from graphile_worker._private_jobs j ${JOIN_WORKER}) s
       group by s.state`,
    );
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const row of result.rows) counts[row.state] = row.count;
    return counts;
  }

  /**
   * Counts by name and state in one pass over the queue, and for waiting jobs how long the
   * oldest has been ready (`run_at` is when it could first run): a queue nobody works on shows
   * as that age growing.
   */
  async queueStats(): Promise<JobQueueStat[]> {
    const result = await this.#knex.raw<{ rows: Array<{ name: string; state: JobState; count: number; oldest: number }> }>(
      `select s.name, s.state, count(*)::int as count,
         coalesce(extract(epoch from now() - min(s.run_at) filter (where s.state = 'waiting')), 0)::float8 as oldest
       from (select t.identifier as name, j.run_at, ${STATE_SQL} as state
             from graphile_worker._private_jobs j
             join graphile_worker._private_tasks t on t.id = j.task_id
             ${JOIN_WORKER}) s
       group by s.name, s.state
       order by s.name, s.state`,
    );
    return result.rows.map((row) => ({
      name: row.name,
      state: row.state,
      count: row.count,
      oldestSeconds: Math.max(0, row.oldest),
    }));
  }
}
