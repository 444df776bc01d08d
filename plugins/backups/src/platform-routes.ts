/** `/v1/backups/platform`: backups of the control plane itself (administrators; decision 0073). */
import { Type, type RouteApp } from '@hostplane/sdk';
import { errorResponses } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { platformBackupView, PlatformBackupSchema, type PlatformBackups } from './services/platform.js';

const tags = ['backups'];
const errors = errorResponses(400, 401, 403, 404, 409);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);

const info = (request: FastifyRequest) => ({ actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id });

export function platformRoutes(platform: PlatformBackups) {
  return (app: RouteApp): void => {
    app.get(
      '/platform',
      {
        config: { permission: 'backups.platform.manage' },
        schema: {
          summary: 'Backups of the platform itself: its database and secret key (administrators)',
          tags,
          querystring: ListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(PlatformBackupSchema),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { page, limit } = request.query;
        const { rows, total } = await platform.list(page, limit);
        return { items: rows.map(platformBackupView), total, page, limit };
      },
    );

    app.post(
      '/platform',
      {
        config: { permission: 'backups.platform.manage' },
        schema: {
          summary: 'Back the platform up now: pg_dump of its database and its state files, into the repository',
          description:
            'Runs in the background as a durable job. A pg_dump older than the PostgreSQL server fails it with PLATFORM_ERR_PG_DUMP_VERSION.',
          tags,
          body: Type.Optional(Type.Object({}, { additionalProperties: false })),
          response: { 202: PlatformBackupSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await platform.create('manual', info(request));
        reply.code(202);
        return platformBackupView(row);
      },
    );

    app.get(
      '/platform/:id',
      {
        config: { permission: 'backups.platform.manage' },
        schema: {
          summary: 'One platform backup',
          tags,
          params: IdParams,
          response: { 200: PlatformBackupSchema, ...errors },
        },
      },
      async (request) => platformBackupView(await platform.one(request.params.id)),
    );
  };
}
