/**
 * Job-queue and plugin-health metrics, for the alert rules in `deploy/prometheus/`.
 *
 * Queue gauges are read from the database at scrape time (one query per scrape, shared by the
 * gauges), so every host reports the same queue: alert on `max()` across hosts, not `sum()`.
 * Runs and durations are counted as this process's workers finish jobs: `sum()` across hosts.
 * Labels are job names (declared by plugins, checked at enqueue) and plugin ids: both bounded
 * by what is installed, and capped here besides.
 */
import type { JobQueueStat, KernelApi } from '@hostplane/core';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Job names reported at most; a queue holding more distinct names is reported in part (and said so). */
const MAX_NAMES = 200;
/** A scrape's gauges share one query: stats younger than this are reused. */
const STATS_TTL_MS = 1000;

/** Register the job and plugin metrics; returns a function that stops listening to job events. */
export function registerJobMetrics(registry: Registry, kernel: KernelApi, logger: Logger): () => void {
  let cached: { at: number; stats: Promise<JobQueueStat[] | null> } | undefined;
  const stats = (): Promise<JobQueueStat[] | null> => {
    if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.stats;
    const loading = kernel.jobs.queueStats().then(
      (rows) => {
        const names = [...new Set(rows.map((r) => r.name))];
        if (names.length <= MAX_NAMES) return rows;
        logger.warn({ names: names.length }, `more than ${MAX_NAMES} job names in the queue; metrics show the first`);
        const kept = new Set(names.slice(0, MAX_NAMES));
        return rows.filter((r) => kept.has(r.name));
      },
      (err: unknown) => {
        // A scrape during a database outage still returns the HTTP and process metrics.
        logger.warn({ err }, 'job queue unavailable for metrics');
        return null;
      },
    );
    cached = { at: Date.now(), stats: loading };
    return loading;
  };

  new Gauge({
    name: 'hostplane_job_queue_depth',
    help: 'Durable jobs in the queue by job name and state (the same on every host: use max across hosts)',
    labelNames: ['name', 'state'] as const,
    registers: [registry],
    async collect() {
      const rows = await stats();
      this.reset();
      for (const row of rows ?? []) this.set({ name: row.name, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'hostplane_job_oldest_waiting_seconds',
    help: 'Age of the oldest job ready to run and not yet taken, by job name (0: none waiting)',
    labelNames: ['name'] as const,
    registers: [registry],
    async collect() {
      const rows = await stats();
      this.reset();
      for (const row of rows ?? []) if (row.state === 'waiting') this.set({ name: row.name }, row.oldestSeconds);
    },
  });
  new Gauge({
    name: 'hostplane_job_queue_up',
    help: '1 when the last scrape could read the job queue, 0 when the database did not answer',
    registers: [registry],
    async collect() {
      this.set((await stats()) === null ? 0 : 1);
    },
  });

  const runs = new Counter({
    name: 'hostplane_job_runs_total',
    help: 'Job attempts this process finished, by job name and outcome (succeeded, failed: will retry, dead: no attempts left)',
    labelNames: ['name', 'outcome'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'hostplane_job_duration_seconds',
    help: 'Time one job attempt took in this process, by job name and outcome (provisioning jobs included)',
    labelNames: ['name', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const seen = new Set<string>();
  const unsubscribe = kernel.jobs.onEvent((event) => {
    if (event.type === 'started') return;
    if (!seen.has(event.name)) {
      if (seen.size >= MAX_NAMES) return;
      seen.add(event.name);
    }
    const outcome = event.type === 'succeeded' ? 'succeeded' : event.dead ? 'dead' : 'failed';
    runs.inc({ name: event.name, outcome });
    durations.observe({ name: event.name, outcome }, event.durationMs / 1000);
  });

  new Gauge({
    name: 'hostplane_plugin_healthy',
    help: 'Enabled plugins: 1 when started and not degraded, 0 when failed, degraded or not started',
    labelNames: ['plugin'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const plugin of kernel.plugins()) {
        if (!plugin.enabled) continue;
        const healthy = plugin.state === 'started' && plugin.health?.state !== 'degraded';
        this.set({ plugin: plugin.id }, healthy ? 1 : 0);
      }
    },
  });

  return unsubscribe;
}
