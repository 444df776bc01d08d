/**
 * Checking and shaping what an enqueue is given, once for a single job and for a batch, so both
 * refuse the same bad options with the same errors before anything reaches graphile-worker.
 */
import type { BatchJob } from '@hostplane/sdk';
import { JobErrors } from './errors.js';

/** graphile stores attempts, max_attempts and priority as smallint. */
export const SMALLINT_MAX = 32767;

/** Jobs per statement of a batch: one JSON parameter each, far below PostgreSQL's limits. */
export const BATCH_CHUNK = 1000;

/** A knex transaction (or nothing): the one thing a `trx` option may be. */
export function checkTrx(trx: unknown): void {
  if (trx !== undefined && typeof (trx as { raw?: unknown } | null)?.raw !== 'function') {
    throw JobErrors.invalidOptions('trx must be a knex transaction');
  }
}

export function checkMaxAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > SMALLINT_MAX) {
    throw JobErrors.invalidOptions(`maxAttempts must be an integer from 1 to ${SMALLINT_MAX}`);
  }
}

export function checkQueue(queue: string | undefined): void {
  if (queue !== undefined && (typeof queue !== 'string' || queue.length === 0 || queue.length > 128)) {
    throw JobErrors.invalidOptions('queue must be a string of 1 to 128 characters');
  }
}

/** One job's own options (key, time, priority) checked, and its payload as JSON. */
export function jobSpec(job: BatchJob<unknown>): {
  payload: string;
  jobKey: string | null;
  runAt: string | null;
  priority: number | null;
} {
  const { jobKey, runAt, priority } = job;
  if (jobKey !== undefined && (typeof jobKey !== 'string' || jobKey.length === 0 || jobKey.length > 512)) {
    throw JobErrors.invalidOptions('jobKey must be a string of 1 to 512 characters');
  }
  if (runAt !== undefined && (!(runAt instanceof Date) || Number.isNaN(runAt.getTime()))) {
    throw JobErrors.invalidOptions('runAt must be a valid Date');
  }
  if (priority !== undefined && (!Number.isInteger(priority) || Math.abs(priority) > SMALLINT_MAX)) {
    throw JobErrors.invalidOptions(`priority must be an integer from -${SMALLINT_MAX} to ${SMALLINT_MAX}`);
  }
  let payload: string;
  try {
    payload = JSON.stringify(job.payload === undefined ? {} : job.payload);
  } catch (err) {
    throw JobErrors.invalidOptions(`payload must be JSON-serialisable: ${(err as Error).message}`);
  }
  return { payload, jobKey: jobKey ?? null, runAt: runAt?.toISOString() ?? null, priority: priority ?? null };
}

/**
 * A batch as the JSON array `hostplane.add_plugin_jobs` reads, in chunks of {@link BATCH_CHUNK}.
 * Jobs sharing a key keep the last one only, as one-by-one enqueues would leave it (and one
 * statement may not touch a key's row twice). `json` payloads are embedded, not re-quoted.
 */
export function batchChunks(jobs: ReadonlyArray<BatchJob<unknown>>): { chunks: string[]; count: number } {
  const specs = jobs.map(jobSpec);
  const lastOfKey = new Map<string, number>();
  specs.forEach((s, i) => {
    if (s.jobKey !== null) lastOfKey.set(s.jobKey, i);
  });
  const kept = specs.filter((s, i) => s.jobKey === null || lastOfKey.get(s.jobKey) === i);
  const chunks: string[] = [];
  for (let i = 0; i < kept.length; i += BATCH_CHUNK) {
    const part = kept
      .slice(i, i + BATCH_CHUNK)
      .map(
        (s) =>
          `{"payload":${s.payload},"key":${JSON.stringify(s.jobKey)},"runAt":${JSON.stringify(s.runAt)},"priority":${JSON.stringify(s.priority)}}`,
      );
    chunks.push(`[${part.join(',')}]`);
  }
  return { chunks, count: kept.length };
}

/** The batch statement: the owner's SECURITY DEFINER wrapper (core migration 0012), in or out of a plugin's transaction. */
export const ADD_JOBS_SQL = `select hostplane.add_plugin_jobs(?, ?::json, ?, ?::int) as count`;
