/**
 * Handing what the started plugins registered to the engines: task modules to the worker
 * pool, job handlers to the job workers, cron schedules to the scheduler.
 */
import type { JobEngine, Scheduler, TaskPool } from '../jobs/index.js';
import type { PluginRecord } from './plugin-record.js';

/** What {@link syncEngines} works with. */
export interface EngineSyncInput {
  /** The started plugins (asked again after a plugin failed here). */
  started(): PluginRecord[];
  tasks: TaskPool;
  jobs: JobEngine;
  scheduler: Scheduler;
  /** False in a process without workers (or a stopping kernel): only tasks are handed over. */
  runWorkers: boolean;
  /** A job handler of `owner` threw (kept as the plugin's last error). */
  onJobError(owner: string, phase: string, error: unknown): void;
  /** Fail a plugin whose registrations the engines refuse. */
  fail(record: PluginRecord, phase: string, error: unknown): Promise<void>;
}

/** Bring the engines in line with the started plugins. */
export async function syncEngines(input: EngineSyncInput): Promise<void> {
  const started = input.started();
  input.tasks.setTasks(
    new Map(started.flatMap((r) => r.runtime?.registrations.tasks.map((t) => [t.name, t.module] as const) ?? [])),
  );
  if (!input.runWorkers) return;
  await input.jobs.setDefinitions(
    started.flatMap((r) =>
      (r.runtime?.registrations.jobs ?? []).map((j) => ({
        name: j.name,
        maxAttempts: j.maxAttempts,
        handler: async (payload: unknown, job: Parameters<typeof j.handler>[1]) => {
          try {
            await j.handler(payload, job);
          } catch (error) {
            input.onJobError(r.discovered.manifest.id, `job:${j.name}`, error);
            throw error;
          }
        },
      })),
    ),
  );
  // One plugin's bad cron must not take every schedule down: check each plugin's alone first.
  for (const record of started) {
    const schedules = record.runtime?.registrations.schedules ?? [];
    if (schedules.length === 0) continue;
    try {
      input.scheduler.validate(schedules);
    } catch (error) {
      await input.fail(record, 'schedules', error);
    }
  }
  input.scheduler.setSchedules(input.started().flatMap((r) => r.runtime?.registrations.schedules ?? []));
}
