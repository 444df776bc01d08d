/**
 * `/v1/usage`: measured usage of every subscription in the caller's tree against its package;
 * `/v1/metering/traffic` and `/v1/metering/sites`: the caller's traffic by day and per site (the
 * panel's chart and table); `/v1/metering/metrics`: per-site traffic for Prometheus
 * (administrators; bounded labels).
 */
import { errorResponses, Type, type LimitsService, type RouteApp } from '@hostplane/sdk';
import type { MeteringConfig } from '../config.js';
import type { MeteringStore } from '../store.js';
import { monthOf } from '../services/quotas.js';
import { renderSiteMetrics } from '../services/site-metrics.js';
import { actorOf, periodOf, Point, totalOf } from './site-stats.js';

const tags = ['metering'];
const errors = errorResponses(400, 401, 403);

const UsageLine = Type.Object({
  resource: Type.String(),
  used: Type.Number(),
  limit: Type.Union([Type.Number(), Type.Null()]),
});
const UsageList = Type.Object({
  items: Type.Array(
    Type.Object({
      subscriptionId: Type.String(),
      customerId: Type.String(),
      status: Type.String(),
      month: Type.String({ description: 'The month bandwidth is counted for (YYYY-MM, UTC)' }),
      diskBytes: Type.Integer({ description: 'Measured disk use of the subscription’s websites' }),
      bandwidthBytes: Type.Integer({ description: 'Bytes sent by the subscription’s websites this month' }),
      usage: Type.Array(UsageLine, { description: 'Every resource of the package: used and limit' }),
    }),
  ),
});

const DaysQuery = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 400, default: 30 }) }, { additionalProperties: false });

const SiteList = Type.Object({
  items: Type.Array(
    Type.Object({
      websiteId: Type.String(),
      domain: Type.String(),
      diskBytes: Type.Union([Type.Integer(), Type.Null()]),
      requests: Type.Integer(),
      bytesOut: Type.Integer(),
      errors5xx: Type.Integer(),
    }),
  ),
});

export function usageRoutes(deps: { store: MeteringStore; limits: LimitsService; now: () => Date }) {
  const { store } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'metering.usage.read' },
        schema: {
          summary: 'Measured usage (disk, this month’s bandwidth) of every subscription in your tree, against its package',
          tags,
          response: { 200: UsageList, ...errors },
        },
      },
      async (request) => {
        const month = monthOf(deps.now());
        const subs = await store.subscriptionsFor(actorOf(request));
        const items = [];
        for (const s of subs) {
          items.push({
            subscriptionId: s.id,
            customerId: s.customer_id,
            status: s.status,
            month: month.period,
            diskBytes: await store.diskOfSubscription(s.id),
            bandwidthBytes: await store.bandwidthOfSubscription(s.id, month.from, month.to),
            usage: await deps.limits.usage(s.id).catch(() => []),
          });
        }
        return { items };
      },
    );
  };
}

export function meteringRoutes(deps: { store: MeteringStore; now: () => Date; config: () => MeteringConfig }) {
  const { store } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/traffic',
      {
        config: { permission: 'metering.stats.read' },
        schema: {
          summary: 'Traffic of all your websites (or your customers’) by day',
          tags,
          querystring: DaysQuery,
          response: { 200: Type.Object({ items: Type.Array(Point), totals: Point }), ...errors },
        },
      },
      async (request) => {
        const { from, to } = periodOf({}, deps.now(), request.query.days);
        const sites = await store.sitesFor(actorOf(request));
        const items = await store.traffic(
          sites.map((s) => s.id),
          from,
          to,
          'day',
        );
        return { items, totals: totalOf(items, from.toISOString()) };
      },
    );

    app.get(
      '/sites',
      {
        config: { permission: 'metering.stats.read' },
        schema: {
          summary: 'Each of your websites (or your customers’): disk use and traffic over the last days',
          tags,
          querystring: DaysQuery,
          response: { 200: SiteList, ...errors },
        },
      },
      async (request) => {
        const { from, to } = periodOf({}, deps.now(), request.query.days);
        const sites = await store.sitesFor(actorOf(request));
        const items = [];
        for (const site of sites) {
          const t = totalOf(await store.traffic([site.id], from, to, 'day'), from.toISOString());
          items.push({
            websiteId: site.id,
            domain: site.domain,
            diskBytes: (await store.diskOf(site.id))?.bytes ?? null,
            requests: t.requests,
            bytesOut: t.bytesOut,
            errors5xx: t.status5xx,
          });
        }
        return { items };
      },
    );

    app.get(
      '/metrics',
      {
        config: { permission: 'metering.metrics.read' },
        schema: {
          summary: 'Per-site traffic in the Prometheus text format (the busiest sites by name, the rest as site="_other")',
          tags,
          response: { 200: Type.String(), ...errors },
        },
      },
      async (_request, reply) => {
        const text = renderSiteMetrics(
          await store.trafficBySite(new Date(0)),
          await store.allSites(),
          deps.config().metricsTopSites,
        );
        return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
      },
    );
  };
}
