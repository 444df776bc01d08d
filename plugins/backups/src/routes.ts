/** `/v1/backups`: list, create on demand, read one, restore; `/v1/backups/restores/:id`. */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BackupsErrors } from './errors.js';
import type { BackupsService, RequestInfo } from './services/backups-service.js';
import { backupView, BackupSchema, restoreView, RestoreSchema, type BackupRow, type BackupStore } from './store.js';

const tags = ['backups'];
const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409, 410);

const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    websiteId: Type.Optional(Uuid),
    ownerId: Type.Optional(Type.String({ format: 'uuid', description: 'The customer whose backups to list' })),
    status: Type.Optional(
      Type.Union(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'forgotten'].map((s) => Type.Literal(s))),
    ),
  },
  { additionalProperties: false },
);

const BackupList = Type.Object({
  items: Type.Array(BackupSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});

const CreateBody = Type.Object(
  {
    websiteId: Type.Optional(Type.String({ format: 'uuid', description: 'Back up this website' })),
    customerId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Back up every website of this customer (one backup per site)' }),
    ),
  },
  { additionalProperties: false },
);

const CustomerBackupSchema = Type.Object({
  customerId: Type.String({ format: 'uuid' }),
  items: Type.Array(BackupSchema, { description: 'One backup per website, each queued as its own job' }),
  skipped: Type.Array(
    Type.Object({
      websiteId: Type.String({ format: 'uuid' }),
      siteName: Type.String(),
      code: Type.String({ description: 'Why its package refused it (e.g. LIMITS_ERR_EXCEEDED)' }),
      message: Type.String(),
    }),
  ),
});

const RestoreBody = Type.Object(
  {
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'One file or folder, relative to the site (`public/index.html`); leave out for the whole site',
      }),
    ),
    targetWebsiteId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Another website of the same customer to restore into (default: the backed-up one)',
      }),
    ),
    databaseId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Restore this database of the backup instead of files: it is emptied and loaded from its dump',
      }),
    ),
  },
  { additionalProperties: false },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

/** A restore body is optional: a request without one reads as `{}` (the whole site). */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

const TargetSchema = Type.Object({
  kind: Type.Union([Type.Literal('local'), Type.Literal('s3'), Type.Literal('sftp')]),
  active: Type.Boolean({ description: 'Backups go here now' }),
  location: Type.String({
    description: 'restic repository (folder, s3:https://…, sftp:user@host:/path); never a credential',
  }),
  reachable: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'Opened with its key just now (null: not the active target)',
  }),
  snapshots: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  publicKey: Type.Union([Type.String(), Type.Null()], {
    description: 'SFTP: the public key of the plugin’s SSH key, for the server’s authorized_keys (null otherwise)',
  }),
});

export interface TargetStatus {
  kind: 'local' | 's3' | 'sftp';
  active: boolean;
  location: string;
  reachable: boolean | null;
  snapshots: number | null;
  error: string | null;
  publicKey: string | null;
}

export function backupRoutes({
  store,
  service,
  targets,
  customers,
}: {
  store: BackupStore;
  service: BackupsService;
  targets: () => Promise<TargetStatus[]>;
  /** Is `id` a customer the actor may act for (itself, its tree's, any for an admin)? */
  customers: { visible(actor: Actor, id: string): Promise<boolean> };
}) {
  const T = `${store.db.schema}.backups`;
  const withParts = async (row: BackupRow) => backupView(row, (await store.partsOf([row.id])).get(row.id));
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'backups.backup.read' },
        schema: {
          summary: 'Backups of your websites, or of your customers’ websites',
          tags,
          querystring: ListQuery,
          response: { 200: BackupList, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const base = store.scoped(actorOf(request));
        if (q.websiteId) base.where(`${T}.website_id`, q.websiteId);
        if (q.ownerId) base.where(`${T}.owner_id`, q.ownerId);
        if (q.status) base.where(`${T}.status`, q.status);
        const [count] = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
        const rows = (await base
          .clone()
          .select(`${T}.*`)
          .orderBy([{ column: `${T}.created_at`, order: 'desc' }, { column: `${T}.id` }])
          .limit(q.limit)
          .offset((q.page - 1) * q.limit)) as BackupRow[];
        const parts = await store.partsOf(rows.map((r) => r.id));
        return {
          items: rows.map((r) => backupView(r, parts.get(r.id))),
          total: Number(count?.count ?? 0),
          page: q.page,
          limit: q.limit,
        };
      },
    );

    app.post(
      '/',
      {
        config: { permission: 'backups.backup.write' },
        schema: {
          summary: 'Back up a website, or every website of a customer, now (runs in the background)',
          description:
            'With `websiteId`: one backup, counted against the package’s backups. With `customerId`: one backup per ' +
            'website of the customer (each its own snapshot, job and count); sites their package refuses are listed in `skipped`.',
          tags,
          body: CreateBody,
          response: { 202: Type.Union([BackupSchema, CustomerBackupSchema]), ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { websiteId, customerId } = request.body;
        if ((websiteId === undefined) === (customerId === undefined)) throw BackupsErrors.createConflict();
        if (customerId !== undefined) {
          if (!(await customers.visible(actor, customerId))) throw BackupsErrors.customerNotFound(customerId);
          const { items, skipped } = await service.createForCustomer(customerId, infoOf(request));
          reply.code(202);
          return {
            customerId,
            items: items.map((r) => backupView(r)),
            skipped: skipped.map(({ site, code, message }) => ({ websiteId: site.id, siteName: site.name, code, message })),
          };
        }
        const site = await store.siteFor(actor, websiteId!, '/body/websiteId');
        const row = await service.create(site, 'manual', infoOf(request));
        reply.code(202);
        return backupView(row);
      },
    );

    app.get(
      '/targets',
      {
        config: { permission: 'backups.target.read' },
        schema: {
          summary: 'Where backups are stored, and whether the active repository opens (administrators)',
          description:
            'Change the target with `PUT /v1/plugins/backups/config` (`target`, `repository`, `s3`, `sftp`); S3 credentials ' +
            'and the SFTP private key are stored sealed. An SFTP target shows its public key for the server’s authorized_keys.',
          tags,
          response: { 200: Type.Object({ items: Type.Array(TargetSchema) }), ...errors },
        },
      },
      async () => ({ items: await targets() }),
    );

    app.get(
      '/:id',
      {
        config: { permission: 'backups.backup.read' },
        schema: {
          summary: 'One backup with its progress, size, added bytes and duration',
          tags,
          params: IdParams,
          response: { 200: BackupSchema, ...errors },
        },
      },
      async (request) => withParts(await store.scopedOne(actorOf(request), request.params.id)),
    );

    app.post(
      '/:id/restore',
      {
        config: { permission: 'backups.backup.restore' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Restore a backup: the whole site, one path, or into another site of the same customer',
          description:
            'Restored files get the target site’s owner; modes, links and contents are those of the snapshot. ' +
            'A path outside the site: 400 `BACKUPS_ERR_PATH_INVALID`; a snapshot pruned since: 410 `BACKUPS_ERR_SNAPSHOT_GONE`. ' +
            'With `databaseId`, that database alone is emptied and loaded from the backup’s dump.',
          tags,
          params: IdParams,
          body: RestoreBody,
          response: { 202: RestoreSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const backup = await store.scopedOne(actor, request.params.id);
        const row = await service.restore(actor, backup, request.body, infoOf(request));
        reply.code(202);
        return restoreView(row);
      },
    );

    app.post(
      '/:id/cancel',
      {
        config: { permission: 'backups.backup.write' },
        schema: {
          summary: 'Cancel a queued or running backup (restic is stopped; no snapshot is kept)',
          tags,
          params: IdParams,
          response: { 200: BackupSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await store.scopedOne(actor, request.params.id);
        return withParts(await service.cancel(request.params.id, infoOf(request)));
      },
    );

    app.get(
      '/restores/:id',
      {
        config: { permission: 'backups.backup.read' },
        schema: { summary: 'One restore and its state', tags, params: IdParams, response: { 200: RestoreSchema, ...errors } },
      },
      async (request) => restoreView(await store.restoreScoped(actorOf(request), request.params.id)),
    );
  };
}
