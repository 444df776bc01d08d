/** Progress of running jobs, kept in `hostplane.job_progress` (graphile's rows have no room for it). */
import type { Knex } from 'knex';
import { JobErrors } from './errors.js';

/** Throw JOBS_ERR_INVALID_PROGRESS unless `fraction` is a finite number in 0..1. */
export function assertProgress(fraction: unknown): asserts fraction is number {
  if (typeof fraction !== 'number' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
    throw JobErrors.invalidProgress(fraction);
  }
}

/** Store the latest progress of job `jobId` (one row per job, overwritten). */
export async function writeProgress(knex: Knex, jobId: string, fraction: number, message?: string): Promise<void> {
  assertProgress(fraction);
  await knex.raw(
    `insert into hostplane.job_progress (job_id, progress, message, updated_at)
     values (?::bigint, ?, ?, now())
     on conflict (job_id) do update
       set progress = excluded.progress, message = excluded.message, updated_at = excluded.updated_at`,
    [jobId, fraction, message ?? null],
  );
}

/** Forget the progress of a finished job (its graphile row is gone, so nobody can read it). */
export async function deleteProgress(knex: Knex, jobId: string): Promise<void> {
  await knex.raw('delete from hostplane.job_progress where job_id = ?::bigint', [jobId]);
}
