/** Durable jobs, schedules and worker-pool tasks as a plugin sees them. */
import type { Logger } from './logger.js';

/** What a job handler receives besides its payload. */
export interface JobContext {
  /** Job id (stable across retries). */
  id: string;
  /** Full job name, `<plugin-id>:<verb-noun>`. */
  name: string;
  /** 1 on the first run. */
  attempt: number;
  /** Runs allowed before the job is dead. */
  maxAttempts: number;
  /** Logger bound to the job. */
  logger: Logger;
  /** Report progress between 0 and 1; visible through the API, CLI and panel. */
  progress(fraction: number, message?: string): Promise<void>;
}

/** A job handler: throw to fail the attempt (it will be retried with backoff). */
export type JobHandler<P> = (payload: P, job: JobContext) => Promise<void>;

/** Options when defining a job. */
export interface JobDefinitionOptions {
  /** Attempts before the job is dead. Default 5. */
  maxAttempts?: number;
}

/** Options when enqueuing a job. */
export interface EnqueueOptions {
  /** Enqueue inside this knex transaction: the job exists only if it commits. */
  trx?: unknown;
  /** De-duplication key: a pending job with the same key is replaced, not doubled. */
  jobKey?: string;
  /** Earliest time to run. */
  runAt?: Date;
  /** Overrides the definition's `maxAttempts`. */
  maxAttempts?: number;
  /** Lower runs first. Default 0. */
  priority?: number;
  /** Jobs in one queue run one at a time, in order. */
  queue?: string;
}

/**
 * States a job can be in, as the API shows them. `running` only while its worker is alive;
 * `interrupted` when its worker's process died mid-run (the job is retried within seconds and
 * shows `retrying` with the reason as its last error until then).
 */
export type JobState = 'waiting' | 'scheduled' | 'running' | 'interrupted' | 'retrying' | 'dead';

/** A job as listed through the jobs service, the API and the CLI. */
export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  progress: number | null;
  progressMessage: string | null;
  createdAt: string;
  key: string | null;
}

/** One job of an {@link JobsService.enqueueMany} batch: its payload and its own options. */
export interface BatchJob<P> {
  payload: P;
  /** De-duplication key, as {@link EnqueueOptions.jobKey}; within one batch the last job with a key wins. */
  jobKey?: string;
  /** Earliest time to run. */
  runAt?: Date;
  /** Lower runs first. Default 0. */
  priority?: number;
}

/** Options shared by every job of an {@link JobsService.enqueueMany} batch. */
export interface EnqueueManyOptions {
  /** Enqueue inside this knex transaction: the jobs exist only if it commits. */
  trx?: unknown;
  /** Overrides the definition's `maxAttempts`. */
  maxAttempts?: number;
  /** Jobs in one queue run one at a time, in order. */
  queue?: string;
}

/** The jobs service (`coreServices.jobs`). Names without a `:` are taken as the caller's own. */
export interface JobsService {
  /** Enqueue a job; returns its id. */
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<{ id: string }>;
  /**
   * Enqueue many jobs of one name in a few statements (thousands in one round trip per
   * thousand), with the same guarantees as {@link JobsService.enqueue} one by one: in `trx`
   * they exist only if it commits, a key already pending is replaced. Returns how many were
   * queued (jobs sharing a key count once).
   */
  enqueueMany<P>(name: string, jobs: ReadonlyArray<BatchJob<P>>, options?: EnqueueManyOptions): Promise<{ count: number }>;
}

/** A cron schedule declared by a plugin: each tick enqueues `job` once across all hosts. */
export interface ScheduleDefinition<P = unknown> {
  /** Cron expression (node-cron syntax, seconds optional). */
  cron: string;
  /** Job to enqueue (a name the plugin defined). */
  job: string;
  /** Payload of each enqueued job. */
  payload?: P;
  /** IANA time zone; default UTC. */
  timezone?: string;
}

/** The tasks service (`coreServices.tasks`): runs CPU-heavy task modules on the worker pool. */
export interface TasksService {
  /**
   * Run task `name` with plain data (structured-cloneable; no functions, no handles).
   * Names without a `:` are taken as the caller's own.
   */
  run<I, O>(name: string, input: I): Promise<O>;
}
