/** `/v1/websites/:id/cron-jobs`: a website's cron jobs (list, create, read, change, delete, run now). */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { CronService, RequestInfo } from './services/cron-service.js';
import { cronJobView, CronJobSchema, type CronStore } from './store.js';

const tags = ['cron-jobs'];
const Uuid = Type.String({ format: 'uuid' });
const SiteParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const JobParams = Type.Object({ id: Uuid, jobId: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);

const Schedule = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'crontab(5) schedule in UTC: `*/15 * * * *`, `0 3 * * mon-fri`, `@daily` …',
});
const Command = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: 'One shell command line, run with /bin/sh -c in the site’s folder as the site’s user',
});
const Timeout = Type.Integer({ minimum: 1, maximum: 86_400, description: 'Seconds before the run is killed' });

const CreateBody = Type.Object(
  { schedule: Schedule, command: Command, timeoutSeconds: Type.Optional(Timeout), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    schedule: Type.Optional(Schedule),
    command: Type.Optional(Command),
    timeoutSeconds: Type.Optional(Timeout),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

export function cronRoutes({ store, service }: { store: CronStore; service: CronService }) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/cron-jobs',
      {
        config: { permission: 'cron.job.read' },
        schema: {
          summary: 'Cron jobs of a website, with their last run',
          tags,
          params: SiteParams,
          response: { 200: Type.Object({ items: Type.Array(CronJobSchema) }), ...errors },
        },
      },
      async (request) => {
        const site = await store.siteFor(actorOf(request), request.params.id);
        return { items: (await store.ofSite(site.id)).map(cronJobView) };
      },
    );

    app.post(
      '/:id/cron-jobs',
      {
        config: { permission: 'cron.job.write' },
        schema: {
          summary: 'Add a cron job (counts against the package’s cron_jobs)',
          tags,
          params: SiteParams,
          body: CreateBody,
          response: { 201: CronJobSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.create(actorOf(request), request.params.id, request.body, infoOf(request));
        return reply.code(201).send(cronJobView(row));
      },
    );

    app.get(
      '/:id/cron-jobs/:jobId',
      {
        config: { permission: 'cron.job.read' },
        schema: {
          summary: 'One cron job and its last run',
          tags,
          params: JobParams,
          response: { 200: CronJobSchema, ...errors },
        },
      },
      async (request) => {
        const site = await store.siteFor(actorOf(request), request.params.id);
        return cronJobView(await store.one(site.id, request.params.jobId));
      },
    );

    app.patch(
      '/:id/cron-jobs/:jobId',
      {
        config: { permission: 'cron.job.write' },
        schema: {
          summary: 'Change a cron job’s schedule, command, time limit or whether it runs',
          tags,
          params: JobParams,
          body: UpdateBody,
          response: { 200: CronJobSchema, ...errors },
        },
      },
      async (request) =>
        cronJobView(
          await service.update(actorOf(request), request.params.id, request.params.jobId, request.body, infoOf(request)),
        ),
    );

    app.delete(
      '/:id/cron-jobs/:jobId',
      {
        config: { permission: 'cron.job.write' },
        schema: { summary: 'Delete a cron job', tags, params: JobParams, response: { 204: Type.Null(), ...errors } },
      },
      async (request, reply) => {
        await service.remove(actorOf(request), request.params.id, request.params.jobId, infoOf(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/cron-jobs/:jobId/run',
      {
        config: { permission: 'cron.job.write' },
        schema: {
          summary: 'Run a cron job now (queued; its result shows as the last run)',
          tags,
          params: JobParams,
          response: { 202: CronJobSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.runNow(actorOf(request), request.params.id, request.params.jobId, infoOf(request));
        return reply.code(202).send(cronJobView(row));
      },
    );
  };
}
