/** `/v1/uptime`: checks of websites' addresses (list, add, read with history, change, check now, remove) and metrics. */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { INTERVALS } from './config.js';
import { UptimeErrors } from './errors.js';
import type { Checker } from './services/checker.js';
import type { ChecksService, RequestInfo } from './services/checks-service.js';
import { CheckSchema, checkView, DaySchema, IncidentSchema, type CheckRow, type UptimeStore } from './store.js';

const tags = ['uptime'];
const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);

const Protocol = Type.Union([Type.Literal('http'), Type.Literal('https')], {
  description: 'https also checks the certificate: an expired or wrong one counts as down',
});
const Path = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'The path (and query) fetched on the website’s domain, e.g. `/` or `/health?full=1`',
});
const Keyword = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
  description: 'When set, the page must contain this text (in its first 256 KiB) to count as up',
});
const Interval = Type.Union(
  INTERVALS.map((n) => Type.Literal(n)),
  { description: 'Minutes between checks (the server sets the shortest allowed)' },
);

const CreateBody = Type.Object(
  {
    websiteId: Uuid,
    protocol: Type.Optional(Protocol),
    path: Type.Optional(Path),
    keyword: Type.Optional(Keyword),
    intervalMinutes: Type.Optional(Interval),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    protocol: Type.Optional(Protocol),
    path: Type.Optional(Path),
    keyword: Type.Optional(Keyword),
    intervalMinutes: Type.Optional(Interval),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  {
    websiteId: Type.Optional(Uuid),
    state: Type.Optional(Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')])),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
const DaysQuery = Type.Object({ days: Type.Integer({ minimum: 1, maximum: 730, default: 30 }) }, { additionalProperties: false });
const CheckDetail = Type.Composite([
  CheckSchema,
  Type.Object({
    days: Type.Array(DaySchema, { description: 'The last 30 days with checks, oldest first' }),
    incidents: Type.Array(IncidentSchema, { description: 'The newest 20 outages, newest first' }),
  }),
]);

/** A manual check at most this often per check: it waits on the network for up to the time limit. */
const RUN_AGAIN_AFTER_MS = 10_000;

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

export interface UptimeRouteDeps {
  store: UptimeStore;
  service: ChecksService;
  checker: Checker;
  today: () => string;
  now: () => Date;
}

export function uptimeRoutes({ store, service, checker, today, now }: UptimeRouteDeps) {
  const withFigures = async (rows: CheckRow[]) => {
    const figures = await store.figures(
      rows.map((r) => r.id),
      today(),
    );
    return rows.map((r) => checkView(r, figures.get(r.id)));
  };
  const detail = async (row: CheckRow) => ({
    ...(await withFigures([row]))[0]!,
    days: await store.days(row.id, today(), 30),
    incidents: await store.incidents(row.id, 20),
  });

  return (app: RouteApp): void => {
    app.get(
      '/checks',
      {
        config: { permission: 'uptime.check.read' },
        schema: {
          summary: 'Uptime checks of your websites (or your customers’), newest first',
          tags,
          querystring: ListQuery,
          response: { 200: Type.Object({ items: Type.Array(CheckSchema), total: Type.Integer() }), ...errors },
        },
      },
      async (request) => {
        const { rows, total } = await store.list(actorOf(request), request.query);
        return { items: await withFigures(rows), total };
      },
    );

    app.post(
      '/checks',
      {
        config: { permission: 'uptime.check.write' },
        schema: {
          summary: 'Monitor an address of a website (checked at the next tick)',
          tags,
          body: CreateBody,
          response: { 201: CheckSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { websiteId, ...input } = request.body;
        const row = await service.create(actorOf(request), websiteId, input, infoOf(request));
        return reply.code(201).send(checkView(row));
      },
    );

    app.get(
      '/checks/:id',
      {
        config: { permission: 'uptime.check.read' },
        schema: {
          summary: 'One uptime check, with its last 30 days and its outages',
          tags,
          params: IdParams,
          response: { 200: CheckDetail, ...errors },
        },
      },
      async (request) => detail(await store.checkFor(actorOf(request), request.params.id)),
    );

    app.get(
      '/checks/:id/days',
      {
        config: { permission: 'uptime.check.read' },
        schema: {
          summary: 'Uptime and average response time per day, oldest first',
          tags,
          params: IdParams,
          querystring: DaysQuery,
          response: { 200: Type.Object({ items: Type.Array(DaySchema) }), ...errors },
        },
      },
      async (request) => {
        const row = await store.checkFor(actorOf(request), request.params.id);
        return { items: await store.days(row.id, today(), request.query.days) };
      },
    );

    app.patch(
      '/checks/:id',
      {
        config: { permission: 'uptime.check.write' },
        schema: {
          summary: 'Change what a check fetches, how often, or pause and resume it',
          tags,
          params: IdParams,
          body: UpdateBody,
          response: { 200: CheckSchema, ...errors },
        },
      },
      async (request) => {
        const row = await service.update(actorOf(request), request.params.id, request.body, infoOf(request));
        return (await withFigures([row]))[0]!;
      },
    );

    app.post(
      '/checks/:id/run',
      {
        config: { permission: 'uptime.check.write' },
        schema: {
          summary: 'Check now (at most once every 10 seconds per check); counts like a scheduled check',
          tags,
          params: IdParams,
          response: { 200: CheckDetail, ...errors },
        },
      },
      async (request) => {
        const row = await store.checkFor(actorOf(request), request.params.id);
        if (row.last_checked_at && now().getTime() - row.last_checked_at.getTime() < RUN_AGAIN_AFTER_MS)
          throw UptimeErrors.tooSoon();
        const after = await checker.checkNow(row);
        if (!after) throw UptimeErrors.notFound(row.id);
        return detail(after);
      },
    );

    app.delete(
      '/checks/:id',
      {
        config: { permission: 'uptime.check.write' },
        schema: {
          summary: 'Stop monitoring an address (its history goes too)',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.remove(actorOf(request), request.params.id, infoOf(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/metrics',
      {
        config: { permission: 'uptime.metrics.read' },
        schema: {
          summary: 'Monitored addresses by state, in the Prometheus text format',
          tags,
          response: { 200: Type.String(), ...errors },
        },
      },
      async (_request, reply) => {
        const counts = await store.countsByState();
        const lines = [
          '# HELP hostplane_uptime_checks Monitored website addresses by their last known state (paused ones left out)',
          '# TYPE hostplane_uptime_checks gauge',
          ...(['up', 'down', 'unknown'] as const).map((s) => `hostplane_uptime_checks{state="${s}"} ${counts[s]}`),
          '',
        ];
        return reply.type('text/plain; version=0.0.4; charset=utf-8').send(lines.join('\n'));
      },
    );
  };
}
