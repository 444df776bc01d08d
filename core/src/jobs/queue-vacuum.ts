/**
 * VACUUM of graphile's job table after bursts of finished jobs.
 *
 * Every job leaves dead rows behind (locked: a new row version; finished: deleted), and they sit
 * at the head of the index each `get_job` walks, in job order. Autovacuum visits a database
 * once a minute at most, so through a burst (a billing run queues 10,000 jobs at once) each
 * fetch walks over every job done since: measured here, `get_job` grew to 1.8 ms, a third of
 * PostgreSQL's time in a run. A plain VACUUM of the table (no lock that blocks workers or
 * enqueuers) after each thousand finished jobs keeps the walk short; it costs a few
 * milliseconds.
 */
import type pg from 'pg';
import type { Logger } from '@hostplane/sdk';

/** Jobs finished here between two vacuums. */
export const VACUUM_EVERY_JOBS = 1000;
/** And never more often than this (ms): a flood of tiny jobs does not vacuum back to back. */
export const VACUUM_MIN_INTERVAL_MS = 2000;

export class QueueVacuum {
  #finished = 0;
  #last = Number.NEGATIVE_INFINITY;
  #running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly logger: Logger,
    private readonly options: { everyJobs?: number; minIntervalMs?: number } = {},
  ) {}

  /** A job finished (or failed: its retry row is a new version too); vacuums when due. */
  finished(): Promise<void> | undefined {
    this.#finished++;
    const now = performance.now();
    if (
      this.#running ||
      this.#finished < (this.options.everyJobs ?? VACUUM_EVERY_JOBS) ||
      now - this.#last < (this.options.minIntervalMs ?? VACUUM_MIN_INTERVAL_MS)
    )
      return undefined;
    this.#finished = 0;
    this.#last = now;
    this.#running = this.#vacuum().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #vacuum(): Promise<void> {
    try {
      // skip_locked: a vacuum already running (autovacuum, another host) makes this one a no-op.
      await this.pool.query(`vacuum (skip_locked) ${this.table}`);
    } catch (err) {
      // (Not the table's owner is no error: PostgreSQL warns and skips, autovacuum stays in charge.)
      this.logger.warn({ err }, 'could not vacuum the job table; autovacuum will');
    }
  }
}
