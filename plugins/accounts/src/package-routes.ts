/** `/v1/packages`: list, get, create, update, delete (when unused) and archive. */
import { Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { AccountsErrors } from './errors.js';
import {
  actorOf,
  audit,
  errorResponses,
  IdParams,
  PageQuery,
  paginate,
  likePattern,
  Uuid,
  type AccountsDeps,
  type ChangeSource,
} from './common.js';
import {
  fullFeatures,
  fullLimits,
  NewPackageBody,
  PackagePatchBody,
  PackageSchema,
  packageView,
  Visibility,
  type NewPackage,
  type PackageRow,
} from './package-schemas.js';
import { beyondCeiling, ownedPackage, ownPackageOf, packageInUse, packageScope, visiblePackage } from './packages.js';

const ListQuery = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    visibility: Type.Optional(Visibility),
    ownerId: Type.Optional(Type.Union([Type.Literal('platform'), Uuid])),
    archived: Type.Optional(Type.Boolean({ description: 'Default false: archived packages are left out' })),
  },
  { additionalProperties: false },
);

const PackageList = Type.Object({
  items: Type.Array(PackageSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});

const tags = ['packages'];

/** Resellers build within their own package; a reseller without one is refused. */
async function checkCeiling(
  deps: AccountsDeps,
  resellerId: string,
  wanted: { limits: ReturnType<typeof fullLimits>; features: ReturnType<typeof fullFeatures> },
) {
  const own = await ownPackageOf(deps, resellerId);
  if (!own) throw AccountsErrors.noOwnPackage();
  const beyond = beyondCeiling(wanted, { limits: fullLimits(own.limits), features: fullFeatures(own.features) });
  if (beyond.length > 0) throw AccountsErrors.exceedsOwnPackage(beyond);
}

/** Create a package (the API's and the CLI's): admins for anyone, resellers within their own. */
export async function createPackage(
  deps: AccountsDeps,
  actor: Actor,
  body: NewPackage,
  source: ChangeSource | FastifyRequest,
): Promise<PackageRow> {
  const { db } = deps;
  const limits = fullLimits(body.limits);
  const features = fullFeatures(body.features);
  let ownerId: string | null = null;
  if (actor.role === 'super_admin') {
    ownerId = body.ownerId ?? null;
    if (ownerId) {
      const owner = await deps.users.get(ownerId);
      if (!owner || owner.role !== 'reseller') throw AccountsErrors.customerInvalid('ownerId must be a reseller');
    }
  } else {
    if (body.ownerId !== undefined && body.ownerId !== actor.userId) throw AccountsErrors.packageNotOwned('create');
    ownerId = actor.userId;
  }
  if (ownerId) await checkCeiling(deps, ownerId, { limits, features });
  return db.transaction(async (trx) => {
    const [created] = (await db
      .table('packages', trx)
      .insert({
        name: body.name,
        description: body.description ?? '',
        currency: body.currency,
        price_monthly: body.prices.monthly ?? null,
        price_quarterly: body.prices.quarterly ?? null,
        price_yearly: body.prices.yearly ?? null,
        setup_fee: body.setupFee ?? 0,
        limits: JSON.stringify(limits),
        features: JSON.stringify(features),
        visibility: body.visibility ?? 'public',
        owner_id: ownerId,
      })
      .returning('*')) as unknown as PackageRow[];
    const pkg = created as PackageRow;
    await audit(deps, source, 'accounts.package.created', { type: 'package', id: pkg.id }, { name: pkg.name }, trx);
    return pkg;
  });
}

/** Archive a package: kept for its subscriptions, offered to nobody new. */
export async function archivePackage(
  deps: AccountsDeps,
  actor: Actor,
  id: string,
  source: ChangeSource | FastifyRequest,
): Promise<PackageRow> {
  const { db } = deps;
  const pkg = await ownedPackage(deps, actor, id);
  return db.transaction(async (trx) => {
    const [updated] = (await db
      .table('packages', trx)
      .where({ id: pkg.id })
      .update({ archived_at: db.knex.raw('coalesce(archived_at, now())'), updated_at: db.knex.fn.now() })
      .returning('*')) as unknown as PackageRow[];
    await audit(deps, source, 'accounts.package.archived', { type: 'package', id: pkg.id }, {}, trx);
    return updated as PackageRow;
  });
}

export function packageRoutes(deps: AccountsDeps) {
  const { db } = deps;
  const T = `${db.schema}.packages`;

  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'accounts.package.read' },
        schema: {
          summary: 'Packages you may see',
          tags,
          querystring: ListQuery,
          response: { 200: PackageList, ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const base = db.table('packages').select(`${T}.*`);
        (await packageScope(deps, actorOf(request)))(base);
        if (q.search) base.whereRaw(`lower(${T}.name) like ?`, [likePattern(q.search)]);
        if (q.visibility) base.where(`${T}.visibility`, q.visibility);
        if (q.ownerId === 'platform') base.whereNull(`${T}.owner_id`);
        else if (q.ownerId) base.where(`${T}.owner_id`, q.ownerId);
        if (q.archived) base.whereNotNull(`${T}.archived_at`);
        else base.whereNull(`${T}.archived_at`);
        const { rows, total } = await paginate<PackageRow>(
          base,
          (b) => b.orderBy([{ column: `${T}.created_at` }, { column: `${T}.id` }]),
          q.page,
          q.limit,
        );
        return { items: rows.map(packageView), total, page: q.page, limit: q.limit };
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'accounts.package.read' },
        schema: { summary: 'One package', tags, params: IdParams, response: { 200: PackageSchema, ...errorResponses } },
      },
      async (request) => packageView(await visiblePackage(deps, actorOf(request), request.params.id)),
    );

    app.post(
      '/',
      {
        config: { permission: 'accounts.package.write' },
        schema: {
          summary: 'Create a package (resellers: within their own package)',
          tags,
          body: NewPackageBody,
          response: { 201: PackageSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const row = await createPackage(deps, actorOf(request), request.body, request);
        return reply.code(201).send(packageView(row));
      },
    );

    app.patch(
      '/:id',
      {
        config: { permission: 'accounts.package.write' },
        schema: {
          summary: 'Change a package you own; live subscriptions follow its new limits',
          tags,
          params: IdParams,
          body: PackagePatchBody,
          response: { 200: PackageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const body = request.body;
        const current = await ownedPackage(deps, actor, request.params.id);
        const limits = fullLimits(body.limits, current.limits);
        const features = fullFeatures(body.features, current.features);
        if (current.owner_id) await checkCeiling(deps, current.owner_id, { limits, features });
        const row = await db.transaction(async (trx) => {
          const [updated] = (await db
            .table('packages', trx)
            .where({ id: current.id })
            .update({
              ...(body.name !== undefined ? { name: body.name } : {}),
              ...(body.description !== undefined ? { description: body.description } : {}),
              ...(body.currency !== undefined ? { currency: body.currency } : {}),
              ...(body.prices?.monthly !== undefined ? { price_monthly: body.prices.monthly } : {}),
              ...(body.prices?.quarterly !== undefined ? { price_quarterly: body.prices.quarterly } : {}),
              ...(body.prices?.yearly !== undefined ? { price_yearly: body.prices.yearly } : {}),
              ...(body.setupFee !== undefined ? { setup_fee: body.setupFee } : {}),
              ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
              limits: JSON.stringify(limits),
              features: JSON.stringify(features),
              updated_at: db.knex.fn.now(),
            })
            .returning('*')) as unknown as PackageRow[];
          if (body.limits) {
            // Subscriptions hold the limits of their package: keep them in step.
            const subs = (await db
              .table('subscriptions', trx)
              .where({ package_id: current.id })
              .whereNot({ status: 'terminated' })
              .select('id')) as Array<{ id: string }>;
            for (const sub of subs) await deps.limits.setLimits(sub.id, limits, { trx });
          }
          await audit(
            deps,
            request,
            'accounts.package.updated',
            { type: 'package', id: current.id },
            { fields: Object.keys(body) },
            trx,
          );
          return updated as PackageRow;
        });
        return packageView(row);
      },
    );

    app.delete(
      '/:id',
      {
        config: { permission: 'accounts.package.write' },
        schema: {
          summary: 'Delete an unused package (a used one must be archived)',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const pkg = await ownedPackage(deps, actorOf(request), request.params.id);
        await db.transaction(async (trx) => {
          // Lock the package so no subscription can be created on it while we look.
          await db.table('packages', trx).where({ id: pkg.id }).forUpdate().first('id');
          if (await packageInUse(deps, pkg.id, trx)) throw AccountsErrors.packageInUse(pkg.id);
          await db.table('packages', trx).where({ id: pkg.id }).delete();
          await audit(deps, request, 'accounts.package.deleted', { type: 'package', id: pkg.id }, { name: pkg.name }, trx);
        });
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/archive',
      {
        config: { permission: 'accounts.package.write' },
        schema: {
          summary: 'Archive a package: kept for its subscriptions, offered to nobody new',
          tags,
          params: IdParams,
          response: { 200: PackageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const row = await archivePackage(deps, actorOf(request), request.params.id, request);
        return packageView(row);
      },
    );
  };
}
