/**
 * Error codes of durable jobs, schedules and worker-pool tasks. Callers and tests compare
 * codes, never messages.
 */
import { defineError } from '@hostplane/sdk';

/** Errors of the job engine and its admin view. */
export const JobErrors = {
  notFound: defineError('JOBS_ERR_NOT_FOUND', 404, (id: string) => `job ${id} not found`),
  notRetryable: defineError(
    'JOBS_ERR_NOT_RETRYABLE',
    409,
    (id: string, state: string) => `job ${id} is ${state}: only dead or retrying jobs can be retried`,
    (id: string, state: string) => ({ id, state }),
  ),
  /** For callers that insist a job is defined (e.g. a plugin enqueuing its own job). */
  unknownJob: defineError('JOBS_ERR_UNKNOWN_JOB', 400, (name: string) => `no job "${name}" is defined`),
  invalidName: defineError(
    'JOBS_ERR_INVALID_NAME',
    400,
    (name: string) => `job name "${name}" must look like <plugin>:<verb-noun> (lower-case, digits, dashes)`,
  ),
  invalidDefinition: defineError(
    'JOBS_ERR_INVALID_DEFINITION',
    400,
    (name: string, problem: string) => `job "${name}": ${problem}`,
  ),
  invalidProgress: defineError(
    'JOBS_ERR_INVALID_PROGRESS',
    400,
    (value: unknown) => `progress must be a number between 0 and 1, got ${String(value)}`,
  ),
  invalidOptions: defineError('JOBS_ERR_INVALID_OPTIONS', 400, (problem: string) => problem),
  notOwnJob: defineError(
    'JOBS_ERR_NOT_OWN_JOB',
    403,
    (pluginId: string, name: string) => `plugin "${pluginId}" may enqueue only its own jobs ("${pluginId}:…"), not "${name}"`,
  ),
  stopped: defineError('JOBS_ERR_STOPPED', 503, 'the job engine is stopped'),
} as const;

/** Errors of cron schedules. */
export const ScheduleErrors = {
  invalidCron: defineError(
    'SCHEDULES_ERR_INVALID_CRON',
    400,
    (schedule: string, cron: string, problems: string[]) =>
      `schedule "${schedule}": invalid cron "${cron}": ${problems.join('; ')}`,
    (schedule: string, cron: string, problems: string[]) => ({ schedule, cron, problems }),
  ),
  invalidTimezone: defineError(
    'SCHEDULES_ERR_INVALID_TIMEZONE',
    400,
    (schedule: string, timezone: string) => `schedule "${schedule}": unknown time zone "${timezone}"`,
  ),
  invalidName: defineError(
    'SCHEDULES_ERR_INVALID_NAME',
    400,
    (name: string) => `schedule name "${name}" must look like <plugin>:<name> (lower-case, digits, dashes)`,
  ),
  duplicate: defineError('SCHEDULES_ERR_DUPLICATE', 400, (name: string) => `schedule "${name}" is defined twice`),
  unknown: defineError('SCHEDULES_ERR_UNKNOWN', 404, (name: string) => `no schedule "${name}"`),
  stopped: defineError('SCHEDULES_ERR_STOPPED', 503, 'the scheduler is stopped'),
} as const;

/** Errors of the worker pool. */
export const TaskErrors = {
  unknown: defineError('TASKS_ERR_UNKNOWN', 400, (name: string) => `no task "${name}" is registered`),
  invalidName: defineError(
    'TASKS_ERR_INVALID_NAME',
    400,
    (name: string) => `task name "${name}" must look like <plugin>:<name> (lower-case, digits, dashes)`,
  ),
  /** The task threw (or its worker died); the message is the task's own. */
  failed: defineError(
    'TASKS_ERR_FAILED',
    500,
    (_name: string, message: string) => message,
    (name: string) => ({ task: name }),
  ),
  invalidModule: defineError(
    'TASKS_ERR_INVALID_MODULE',
    500,
    (url: string) => `task module ${url} has no default export function`,
  ),
  destroyed: defineError('TASKS_ERR_DESTROYED', 503, 'the task pool is destroyed'),
} as const;
