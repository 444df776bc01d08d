/**
 * The host's Prometheus metrics. One Registry per host (not prom-client's global one), so two
 * hosts in one process (tests, benchmarks) never share or collide; it outlives generations, so
 * counters keep counting across plugin changes.
 */
import type { KernelApi, PluginState } from '@hostplane/core';
import type { JobState } from '@hostplane/sdk';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerJobMetrics } from './metrics-jobs.js';

/** The metrics a host keeps. */
export interface HostMetrics {
  readonly registry: Registry;
  /** `http_requests_total{method,route,status_code}` */
  readonly requests: Counter<'method' | 'route' | 'status_code'>;
  /** `http_request_duration_seconds{method,route,status_code}` */
  readonly duration: Histogram<'method' | 'route' | 'status_code'>;
  /** Stop listening to the kernel (job events); the registry is cleared by its owner. */
  stop(): void;
}

const JOB_STATES: readonly JobState[] = ['waiting', 'scheduled', 'running', 'interrupted', 'retrying', 'dead'];
const PLUGIN_STATES: readonly PluginState[] = ['discovered', 'installed', 'enabled', 'started', 'disabled', 'failed'];

/** Create the registry with HTTP, job, plugin and default process metrics. */
export function createHostMetrics(kernel: KernelApi, logger: Logger): HostMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its response',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  // Read at scrape time: the database is the truth and a counter kept here would drift.
  new Gauge({
    name: 'hostplane_jobs',
    help: 'Durable jobs by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await kernel.jobs.counts();
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      } catch (err) {
        // A scrape during a database outage still returns the HTTP and process metrics.
        this.reset();
        logger.warn({ err }, 'job counts unavailable for metrics');
      }
    },
  });
  new Gauge({
    name: 'hostplane_plugins',
    help: 'Known plugins by lifecycle state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(PLUGIN_STATES.map((s) => [s, 0]));
      for (const plugin of kernel.plugins()) counts.set(plugin.state, (counts.get(plugin.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });

  const stop = registerJobMetrics(registry, kernel, logger);

  return { registry, requests, duration, stop };
}
