/**
 * Per-generation metrics wiring: count and time every response, and serve `GET /metrics`
 * (Prometheus text format) from the host's registry.
 */
import fp from 'fastify-plugin';
import type { HostMetrics } from './metrics-registry.js';
import type { HostApp } from './types.js';

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  metrics: HostMetrics;
}

// Unmatched URLs share one label: raw paths would let any caller create unbounded series.
const UNMATCHED = 'unmatched';

interface Series {
  inc(): void;
  observe(seconds: number): void;
}

/**
 * Labelled children, cached per method/route/status: prom-client hashes the label object on
 * every call otherwise, on the hot path of every request. The key space is bounded by the
 * routes and status codes, like the series themselves.
 */
function seriesCache(metrics: HostMetrics): (method: string, route: string, status: number) => Series {
  const cache = new Map<string, Series>();
  return (method, route, status) => {
    const key = `${method} ${status} ${route}`;
    let series = cache.get(key);
    if (!series) {
      const labels = { method, route, status_code: String(status) };
      const counter = metrics.requests.labels(labels);
      const histogram = metrics.duration.labels(labels);
      series = { inc: () => counter.inc(), observe: (seconds) => histogram.observe(seconds) };
      cache.set(key, series);
    }
    return series;
  };
}

/** Install the onResponse recorder and the /metrics route. */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app: HostApp, { metrics }) => {
    const seriesOf = seriesCache(metrics);
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
      const series = seriesOf(request.method, route, reply.statusCode);
      series.inc();
      series.observe(reply.elapsedTime / 1000);
      done();
    });

    app.get(
      '/metrics',
      {
        // Open like /health: scrapers carry no user. Keep it off the public internet at the proxy.
        config: { public: true, rateLimit: false },
        // Scraped every few seconds; successful scrapes are not worth a log line each.
        logLevel: 'warn',
        schema: { hide: true },
      },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  },
  { name: 'hostplane-metrics', fastify: '5.x' },
);
