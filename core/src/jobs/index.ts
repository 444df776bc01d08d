/** Durable jobs (graphile-worker), cron schedules and the worker-thread pool. */
export { JobErrors, ScheduleErrors, TaskErrors } from './errors.js';
export { JobAdminView, JOB_STATES } from './job-admin.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  JobEngine,
  type JobDefinition,
  type JobEngineOptions,
  type JobEnqueueOptions,
  type JobEvent,
  type JobEventBase,
} from './job-engine.js';
export { assertProgress } from './job-progress.js';
export { isQualifiedName, QUALIFIED_NAME } from './names.js';
export { Scheduler, type ScheduleSpec, type SchedulerOptions, type TickResult } from './scheduler.js';
export { TaskPool, type TaskPoolOptions, type TaskRunOptions } from './task-pool.js';
