/** `/v1/databases`: customers' databases, their users, the servers behind them. */
import { CommonErrors, errorResponses, Type, type Actor, type DatabaseServer, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { AdminerLogins } from './adminer.js';
import type { DatabasesService, RequestInfo } from './databases-service.js';
import { SUFFIX_PATTERN } from './names.js';
import { DatabaseSchema, DatabaseUserSchema, databaseView, userView, type DatabaseRow, type DatabaseStore } from './store.js';

const tags = ['databases'];
const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const UserParams = Type.Object({ id: Uuid, userId: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409, 503);
const Suffix = Type.String({ pattern: SUFFIX_PATTERN, minLength: 1, maxLength: 16, description: 'The part after your prefix' });

const CreateBody = Type.Object(
  {
    name: Suffix,
    server: Type.Optional(Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z][a-z0-9-]*$' })),
    subscriptionId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    ownerId: Type.Optional(Uuid),
    subscriptionId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const DeleteQuery = Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });

const UserBody = Type.Object({ name: Type.Optional(Suffix) }, { additionalProperties: false });

const Credentials = Type.Object({
  user: DatabaseUserSchema,
  password: Type.String({ description: 'Shown this once; reset it to get a new one' }),
  database: Type.String(),
  endpoint: Type.Union([
    Type.Object({ host: Type.String(), port: Type.Integer(), socket: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
});

const ServerList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      engine: Type.String(),
      state: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]),
      reason: Type.Union([Type.String(), Type.Null()]),
      version: Type.Union([Type.String(), Type.Null()]),
      default: Type.Boolean(),
    }),
  ),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

/** An empty POST body reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

const AdminerLinkSchema = Type.Object({
  url: Type.String({ description: 'Open this once, within the lifetime, to be logged in to Adminer on this database only' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export interface RouteDeps {
  store: DatabaseStore;
  service: DatabasesService;
  servers: () => DatabaseServer[];
  adminer: AdminerLogins;
}

export function databaseRoutes({ store, service, servers, adminer }: RouteDeps) {
  const T = store.T;

  async function view(row: DatabaseRow) {
    return databaseView(row, (await store.userNamesOf([row.id])).get(row.id) ?? []);
  }

  async function endpointOf(serverId: string) {
    try {
      return (await service.server(serverId).status()).endpoint;
    } catch {
      return null;
    }
  }

  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'databases.database.read' },
        schema: {
          summary: 'Databases you own or that belong to your customers',
          tags,
          querystring: ListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(DatabaseSchema),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const base = store.scoped(actorOf(request));
        if (q.ownerId) base.where(`${T}.owner_id`, q.ownerId);
        if (q.subscriptionId) base.where(`${T}.subscription_id`, q.subscriptionId);
        const [count] = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
        const rows = (await base
          .clone()
          .select(`${T}.*`)
          .orderBy([{ column: `${T}.created_at`, order: 'desc' }, { column: `${T}.id` }])
          .limit(q.limit)
          .offset((q.page - 1) * q.limit)) as DatabaseRow[];
        const users = await store.userNamesOf(rows.map((r) => r.id));
        return {
          items: rows.map((r) => databaseView(r, users.get(r.id) ?? [])),
          total: Number(count?.count ?? 0),
          page: q.page,
          limit: q.limit,
        };
      },
    );

    app.get(
      '/servers',
      {
        config: { permission: 'databases.database.read' },
        schema: { summary: 'Database servers a database can be created on', tags, response: { 200: ServerList, ...errors } },
      },
      async () => {
        const all = servers();
        let fallback: string | null = null;
        try {
          fallback = service.server().id;
        } catch {
          fallback = null;
        }
        const items = await Promise.all(
          all.map(async (s) => {
            const status = await s
              .status()
              .catch((err: unknown) => ({ state: 'degraded' as const, reason: String(err), version: null }));
            return {
              id: s.id,
              engine: s.engine,
              state: status.state,
              reason: status.reason,
              version: status.version,
              default: s.id === fallback,
            };
          }),
        );
        return { items };
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'databases.database.read' },
        schema: {
          summary: 'One database, its size measured now, and where applications reach it',
          tags,
          params: IdParams,
          response: { 200: DatabaseSchema, ...errors },
        },
      },
      async (request) => {
        const row = await service.measure(await store.scopedOne(actorOf(request), request.params.id));
        return { ...(await view(row)), endpoint: await endpointOf(row.server) };
      },
    );

    app.post(
      '/',
      {
        config: { permission: 'databases.database.write' },
        schema: {
          summary: 'Create a database named <your prefix>_<name> (counts against the package’s databases limit)',
          tags,
          body: CreateBody,
          response: { 201: DatabaseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.create(actorOf(request), request.body, infoOf(request));
        reply.code(201);
        return databaseView(row, []);
      },
    );

    app.delete(
      '/:id',
      {
        config: { permission: 'databases.database.write' },
        schema: {
          summary: 'Delete a database, its data and its users (confirm=<its name>)',
          tags,
          params: IdParams,
          querystring: DeleteQuery,
          response: { 200: DatabaseSchema, ...errors },
        },
      },
      async (request) =>
        databaseView(await service.remove(actorOf(request), request.params.id, request.query.confirm, infoOf(request)), []),
    );

    app.post(
      '/:id/adminer',
      {
        // Adminer changes data: the same permission as changing the database's users.
        config: { permission: 'databases.database.write' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'A one-time link (single use, short-lived) logging you in to Adminer on this database only',
          tags,
          params: IdParams,
          response: { 201: AdminerLinkSchema, ...errors },
        },
      },
      async (request, reply) => {
        const link = await adminer.issue(actorOf(request), request.params.id, infoOf(request));
        reply.code(201);
        return link;
      },
    );

    app.get(
      '/:id/users',
      {
        config: { permission: 'databases.database.read' },
        schema: {
          summary: 'Users of a database',
          tags,
          params: IdParams,
          response: { 200: Type.Object({ items: Type.Array(DatabaseUserSchema) }), ...errors },
        },
      },
      async (request) => {
        const database = await store.scopedOne(actorOf(request), request.params.id);
        const rows = await store.users().where({ database_id: database.id }).orderBy('name');
        return { items: rows.map(userView) };
      },
    );

    app.post(
      '/:id/users',
      {
        config: { permission: 'databases.database.write' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Add a user with every privilege on this database only; its password is shown once',
          tags,
          params: IdParams,
          body: UserBody,
          response: { 201: Credentials, ...errors },
        },
      },
      async (request, reply) => {
        const { user, password } = await service.addUser(actorOf(request), request.params.id, request.body.name, infoOf(request));
        const database = await store.databases().where({ id: user.database_id }).first();
        reply.code(201);
        return {
          user: userView(user),
          password,
          database: (database as DatabaseRow).name,
          endpoint: await endpointOf(user.server),
        };
      },
    );

    app.post(
      '/:id/users/:userId/reset-password',
      {
        config: { permission: 'databases.database.write' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Give a user a new generated password (shown once; the old one stops working)',
          tags,
          params: UserParams,
          response: { 200: Credentials, ...errors },
        },
      },
      async (request) => {
        const { user, password } = await service.resetPassword(
          actorOf(request),
          request.params.id,
          request.params.userId,
          infoOf(request),
        );
        const database = await store.databases().where({ id: user.database_id }).first();
        return {
          user: userView(user),
          password,
          database: (database as DatabaseRow).name,
          endpoint: await endpointOf(user.server),
        };
      },
    );

    app.delete(
      '/:id/users/:userId',
      {
        config: { permission: 'databases.database.write' },
        schema: {
          summary: 'Delete a user (its sessions end)',
          tags,
          params: UserParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.removeUser(actorOf(request), request.params.id, request.params.userId, infoOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
