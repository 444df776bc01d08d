/**
 * `/v1/websites/:id/stats` (traffic, status codes, bandwidth, top paths and disk over a
 * period) and `/v1/websites/:id/logs` (the newest access and error lines, searchable). A
 * website outside the caller's tree reads as missing (404), like every foreign id.
 */
import {
  CommonErrors,
  errorResponses,
  Type,
  type Actor,
  type RouteApp,
  type TasksService,
  type WebServerDriver,
} from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { MeteringConfig } from '../config.js';
import { MeteringErrors } from '../errors.js';
import type { MeteringStore, SiteRow, TrafficPoint } from '../store.js';
import { parseRecord } from '../tasks/aggregate.js';
import type { SearchInput, SearchResult } from '../tasks/search-log.js';

export const SEARCH_TASK = 'search-log';
const tags = ['metering'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);
const DAY = 86_400_000;

const StatsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (default: 30 days before `to`)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End, exclusive (default: now)' })),
    bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' }),
    top: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Busiest paths listed' }),
  },
  { additionalProperties: false },
);

export const Point = Type.Object({
  at: Type.String({ format: 'date-time' }),
  requests: Type.Integer(),
  bytesOut: Type.Integer(),
  bytesIn: Type.Integer(),
  status2xx: Type.Integer(),
  status3xx: Type.Integer(),
  status4xx: Type.Integer(),
  status5xx: Type.Integer(),
  statusOther: Type.Integer(),
});

const Stats = Type.Object({
  websiteId: Type.String(),
  domain: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  bucket: Type.String(),
  totals: Point,
  series: Type.Array(Point),
  topPaths: Type.Array(Type.Object({ path: Type.String(), requests: Type.Integer(), bytesOut: Type.Integer() })),
  disk: Type.Union([
    Type.Object({ bytes: Type.Integer(), files: Type.Integer(), measuredAt: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
});

const LogsQuery = Type.Object(
  {
    kind: Type.Union([Type.Literal('access'), Type.Literal('error'), Type.Literal('all')], { default: 'all' }),
    q: Type.String({ maxLength: 200, default: '', description: 'Text the line contains (case-insensitive)' }),
    status: Type.Optional(
      Type.Union([Type.Literal('2xx'), Type.Literal('3xx'), Type.Literal('4xx'), Type.Literal('5xx')], {
        description: 'Access lines with a status of this class only',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

const LogLine = Type.Object({
  kind: Type.Union([Type.Literal('access'), Type.Literal('error')]),
  line: Type.String(),
  time: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  path: Type.Union([Type.String(), Type.Null()]),
  bytesOut: Type.Union([Type.Integer(), Type.Null()]),
});
const Logs = Type.Object({
  items: Type.Array(LogLine),
  partial: Type.Boolean({ description: 'Older lines were not searched (the search reads a bounded amount of logs)' }),
});

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

/** `from`/`to` of a query: defaults, order, and at most 400 days. */
export function periodOf(q: { from?: string; to?: string }, now: Date, days = 30): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - days * DAY);
  if (Number.isNaN(from.getTime())) throw MeteringErrors.queryInvalid('from is not a time', '/querystring/from');
  if (Number.isNaN(to.getTime())) throw MeteringErrors.queryInvalid('to is not a time', '/querystring/to');
  if (from >= to) throw MeteringErrors.queryInvalid('from must be before to', '/querystring/from');
  if (to.getTime() - from.getTime() > 400 * DAY) throw MeteringErrors.queryInvalid('a period is 400 days at most');
  return { from, to };
}

export function totalOf(points: TrafficPoint[], at: string): TrafficPoint {
  const t: TrafficPoint = {
    at,
    requests: 0,
    bytesOut: 0,
    bytesIn: 0,
    status2xx: 0,
    status3xx: 0,
    status4xx: 0,
    status5xx: 0,
    statusOther: 0,
  };
  for (const p of points) {
    t.requests += p.requests;
    t.bytesOut += p.bytesOut;
    t.bytesIn += p.bytesIn;
    t.status2xx += p.status2xx;
    t.status3xx += p.status3xx;
    t.status4xx += p.status4xx;
    t.status5xx += p.status5xx;
    t.statusOther += p.statusOther;
  }
  return t;
}

export function siteStatsRoutes(deps: {
  store: MeteringStore;
  tasks: TasksService;
  now: () => Date;
  config: () => MeteringConfig;
  driver: () => WebServerDriver | undefined;
}) {
  const { store } = deps;
  async function siteOf(request: FastifyRequest): Promise<SiteRow> {
    const id = (request.params as { id: string }).id;
    const site = await store.siteFor(actorOf(request), id);
    if (!site) throw MeteringErrors.websiteNotFound(id);
    return site;
  }

  return (app: RouteApp): void => {
    app.get(
      '/:id/stats',
      {
        config: { permission: 'metering.stats.read' },
        schema: {
          summary: 'Traffic of a website over a period: requests, status codes, bandwidth, busiest paths, disk use',
          tags,
          params: IdParams,
          querystring: StatsQuery,
          response: { 200: Stats, ...errors },
        },
      },
      async (request) => {
        const site = await siteOf(request);
        const { from, to } = periodOf(request.query, deps.now());
        const series = await store.traffic([site.id], from, to, request.query.bucket);
        return {
          websiteId: site.id,
          domain: site.domain,
          from: from.toISOString(),
          to: to.toISOString(),
          bucket: request.query.bucket,
          totals: totalOf(series, from.toISOString()),
          series,
          topPaths: await store.topPaths(site.id, from, to, request.query.top),
          disk: await store.diskOf(site.id),
        };
      },
    );

    app.get(
      '/:id/logs',
      {
        config: { permission: 'metering.logs.read' },
        schema: {
          summary: 'The newest access and error log lines of a website, searchable (newest first)',
          tags,
          params: IdParams,
          querystring: LogsQuery,
          response: { 200: Logs, ...errors },
        },
      },
      async (request) => {
        const site = await siteOf(request);
        const q = request.query;
        if (q.q.includes('\u0000')) throw MeteringErrors.queryInvalid('the search text contains a NUL byte', '/querystring/q');
        const driver = deps.driver();
        if (!driver?.siteLogs) throw MeteringErrors.noLogs();
        const files = (await driver.siteLogs({ id: site.id, name: site.name })).filter(
          (f) => q.kind === 'all' || f.kind === q.kind,
        );
        const status = q.status ? Number(q.status[0]) * 100 : null;
        const found = await deps.tasks.run<SearchInput, SearchResult>(SEARCH_TASK, {
          files: files.map((f) => ({ file: f.file, kind: f.kind })),
          query: q.q,
          statusFrom: status,
          statusTo: status === null ? null : status + 100,
          limit: q.limit,
          maxBytes: deps.config().logSearchMaxMb * 1024 * 1024,
        });
        return {
          items: found.lines.map((l) => {
            const r = l.kind === 'access' ? parseRecord(l.line) : null;
            return {
              kind: l.kind,
              line: l.line,
              time: r?.t ?? null,
              status: r?.s ?? null,
              method: r?.m ?? null,
              path: r?.u ?? null,
              bytesOut: r?.o ?? null,
            };
          }),
          partial: found.partial,
        };
      },
    );
  };
}
