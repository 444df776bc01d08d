/** `/v1/websites`: create, list, read, change, suspend and delete websites; the server's offer. */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp, type WebServerDriver } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { WebsitesErrors } from './errors.js';
import { websiteView, WebsiteSchema, type WebsiteRow, type WebsiteStore } from './store.js';
import { assertMayLift, levelOf } from './suspension-levels.js';
import type { RequestInfo, WebsitesService } from './websites-service.js';

const tags = ['websites'];
const Uuid = Type.String({ format: 'uuid' });
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);

// Lengths are checked again by the domain rules; these bounds stop absurd bodies early.
const Domain = Type.String({ minLength: 1, maxLength: 300 });
const Kind = Type.Union([Type.Literal('static'), Type.Literal('php'), Type.Literal('wordpress'), Type.Literal('nodejs')]);
const PhpVersion = Type.String({ pattern: '^[0-9]{1,2}\\.[0-9]{1,2}$' });
const CommandArg = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000\\n\\r]+$' });
const EnvName = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
const NodeSettings = Type.Object(
  {
    command: Type.Optional(Type.Array(CommandArg, { minItems: 1, maxItems: 20 })),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: EnvName }), Type.String({ maxLength: 1000, pattern: '^[^\\u0000\\n\\r]*$' }), {
        maxProperties: 50,
        // Keys outside the pattern are refused, not ignored.
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);
const Directives = Type.Union([Type.String({ maxLength: 4000 }), Type.Null()]);

const CreateBody = Type.Object(
  {
    domain: Domain,
    aliases: Type.Optional(Type.Array(Domain, { maxItems: 50 })),
    kind: Kind,
    phpVersion: Type.Optional(PhpVersion),
    subscriptionId: Type.Optional(Uuid),
    nodejs: Type.Optional(NodeSettings),
    extraDirectives: Type.Optional(Directives),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    aliases: Type.Optional(Type.Array(Domain, { maxItems: 50 })),
    phpVersion: Type.Optional(PhpVersion),
    nodejs: Type.Optional(NodeSettings),
    extraDirectives: Type.Optional(Directives),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    status: Type.Optional(Type.Union(['provisioning', 'active', 'suspended', 'error', 'deleting'].map((s) => Type.Literal(s)))),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ownerId: Type.Optional(Uuid),
    subscriptionId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const WebsiteList = Type.Object({
  items: Type.Array(WebsiteSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});

const DeleteQuery = Type.Object(
  {
    deleteDatabase: Type.Optional(
      Type.Boolean({ description: 'Also delete the database made for the site (WordPress), with its data; kept by default' }),
    ),
  },
  { additionalProperties: false },
);

const SuspendBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);

const ServerSchema = Type.Object({
  driver: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('absent')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  phpVersions: Type.Array(Type.String()),
  reloads: Type.Integer({ description: 'Checked reloads since the driver started' }),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id, level: levelOf(request.actor?.role) };
}

/** Suspend/unsuspend bodies are optional: a request without one reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

export interface RouteDeps {
  store: WebsiteStore;
  service: WebsitesService;
  drivers: () => WebServerDriver[];
}

export function websiteRoutes({ store, service, drivers }: RouteDeps) {
  const T = `${store.db.schema}.websites`;

  /**
   * A provider's action on a site in the caller's subtree, on the locked row. Never on the
   * caller's own site: a reseller suspending its own would lock itself out of lifting it.
   */
  function providerAction(
    verb: 'suspend' | 'unsuspend',
    act: (site: WebsiteRow, request: FastifyRequest, trx: Knex.Transaction) => Promise<WebsiteRow>,
  ) {
    return async (request: FastifyRequest) => {
      const actor = actorOf(request);
      const { id } = request.params as { id: string };
      const row = await store.db.transaction(async (trx) => {
        const site = await store.scopedOne(actor, id, trx, true);
        if (site.owner_id === actor.userId && actor.role !== 'super_admin') throw WebsitesErrors.ownSite(verb);
        return act(site, request, trx);
      });
      return view(row);
    };
  }

  async function view(row: WebsiteRow, withHistory = false) {
    const aliases = (await store.aliasesOf([row.id])).get(row.id) ?? [];
    return websiteView(row, aliases, withHistory ? await store.history(row.id) : undefined);
  }

  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'Websites you own or that belong to your customers',
          tags,
          querystring: ListQuery,
          response: { 200: WebsiteList, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const base = store.scoped(actorOf(request));
        if (q.status) base.where(`${T}.status`, q.status);
        if (q.ownerId) base.where(`${T}.owner_id`, q.ownerId);
        if (q.subscriptionId) base.where(`${T}.subscription_id`, q.subscriptionId);
        if (q.search) {
          const pattern = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          base.whereExists(
            store.db.table('website_domains').whereRaw(`website_id = ${T}.id`).andWhere('domain', 'like', pattern),
          );
        }
        const [count] = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
        const rows = (await base
          .clone()
          .select(`${T}.*`)
          .orderBy([{ column: `${T}.created_at`, order: 'desc' }, { column: `${T}.id` }])
          .limit(q.limit)
          .offset((q.page - 1) * q.limit)) as WebsiteRow[];
        const aliases = await store.aliasesOf(rows.map((r) => r.id));
        return {
          items: rows.map((r) => websiteView(r, aliases.get(r.id) ?? [])),
          total: Number(count?.count ?? 0),
          page: q.page,
          limit: q.limit,
        };
      },
    );

    app.get(
      '/server',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'The web server: driver, state and PHP versions it offers',
          tags,
          response: { 200: ServerSchema, ...errors },
        },
      },
      async () => {
        const driver = drivers()[0];
        if (!driver)
          return {
            driver: null,
            state: 'absent' as const,
            reason: 'no web server plugin is enabled',
            phpVersions: [],
            reloads: 0,
          };
        const status = await driver.status();
        return {
          driver: driver.id,
          state: status.state,
          reason: status.reason,
          phpVersions: status.phpVersions,
          reloads: status.reloads,
        };
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'websites.site.read' },
        schema: {
          summary: 'One website with its provisioning history',
          tags,
          params: IdParams,
          response: { 200: WebsiteSchema, ...errors },
        },
      },
      async (request) => view(await store.scopedOne(actorOf(request), request.params.id), true),
    );

    app.post(
      '/',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary: 'Create a website (checks the package limits; provisioning runs in the background)',
          tags,
          body: CreateBody,
          response: { 201: WebsiteSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { site, aliases } = await service.create(actorOf(request), request.body, infoOf(request));
        reply.code(201);
        return websiteView(site, aliases);
      },
    );

    app.patch(
      '/:id',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary: 'Change aliases, PHP version or app settings',
          tags,
          params: IdParams,
          body: UpdateBody,
          response: { 200: WebsiteSchema, ...errors },
        },
      },
      async (request) => view(await service.update(actorOf(request), request.params.id, request.body, infoOf(request))),
    );

    app.delete(
      '/:id',
      {
        config: { permission: 'websites.site.write' },
        schema: {
          summary: 'Delete a website and its files (in the background)',
          tags,
          params: IdParams,
          querystring: DeleteQuery,
          response: { 202: WebsiteSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await store.db.transaction(async (trx) =>
          service.remove(await store.scopedOne(actorOf(request), request.params.id, trx, true), infoOf(request), trx, {
            deleteDatabase: request.query.deleteDatabase === true,
          }),
        );
        reply.code(202);
        return view(row);
      },
    );

    app.post(
      '/:id/suspend',
      {
        config: { permission: 'websites.site.suspend' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Suspend a website: visitors see a suspension page (503)',
          description:
            'A provider suspension (`admin` in suspendedFor), recorded with the level of whoever made it ' +
            '(`suspendedBy`: `platform` for an administrator, `reseller`). Suspending again from higher up ' +
            '(an administrator over a reseller) raises it to that level.',
          tags,
          params: IdParams,
          body: SuspendBody,
          response: { 200: WebsiteSchema, ...errors },
        },
      },
      providerAction('suspend', (site, request, trx) =>
        service.suspend(site, 'admin', (request.body as { reason?: string }).reason ?? null, infoOf(request), trx),
      ),
    );

    app.post(
      '/:id/unsuspend',
      {
        config: { permission: 'websites.site.suspend' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Lift a suspension made by an administrator or reseller',
          description:
            'Only at the level of whoever suspended it or above: a reseller lifts its own, an administrator any ' +
            '(a reseller lifting an administrator’s: 403 `WEBSITES_ERR_SUSPENDED_ABOVE`, `details.suspendedBy`). ' +
            'Suspensions that follow the subscription or the owner leave with them (403 ' +
            '`WEBSITES_ERR_SUSPENDED_BY_PROVIDER` here).',
          tags,
          params: IdParams,
          response: { 200: WebsiteSchema, ...errors },
        },
      },
      providerAction('unsuspend', (site, request, trx) => {
        if (!site.suspended_for.includes('admin')) {
          if (site.suspended_for.length) throw WebsitesErrors.suspendedByOthers(site.suspended_for);
          throw WebsitesErrors.transitionRefused(site.status, 'unsuspended');
        }
        assertMayLift(levelOf(actorOf(request).role), site.suspended_by_level);
        return service.unsuspend(site, 'admin', infoOf(request), trx);
      }),
    );
  };
}
