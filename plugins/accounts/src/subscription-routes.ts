/** `/v1/subscriptions`: assign packages, list, actions, package changes and the usage view. */
import { Type, type Actor, type RouteApp, type Static } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import {
  actorOf,
  audit,
  PLATFORM_ACTOR,
  errorResponses,
  IdParams,
  PageQuery,
  paginate,
  Uuid,
  type AccountsDeps,
  type ChangeSource,
} from './common.js';
import { AccountsErrors } from './errors.js';
import { fullLimits, LIMIT_KEYS, type PackageRow } from './package-schemas.js';
import { pkgRef, visiblePackage } from './packages.js';
import { assertMayLift, levelOf } from './suspension-levels.js';
import {
  BillingCycle,
  emitTransition,
  nextDue,
  scopedSubscription,
  scopeSubscriptions,
  selectSubscriptions,
  Status,
  SubscriptionSchema,
  subscriptionView,
  TRANSITIONS,
  type Cycle,
  type SubscriptionAction,
  type SubscriptionRow,
} from './subscriptions.js';

const tags = ['subscriptions'];

export const NewSubscriptionBody = Type.Object(
  {
    customerId: Uuid,
    packageId: Uuid,
    billingCycle: BillingCycle,
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('active')])),
    nextDueDate: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    ...PageQuery,
    customerId: Type.Optional(Uuid),
    packageId: Type.Optional(Uuid),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

const SubscriptionList = Type.Object({
  items: Type.Array(SubscriptionSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  limit: Type.Integer(),
});

const UsageSchema = Type.Object({
  subscriptionId: Uuid,
  resources: Type.Array(
    Type.Object({
      resource: Type.String(),
      used: Type.Integer(),
      limit: Type.Union([Type.Integer(), Type.Null()]),
      enforced: Type.Boolean({ description: 'Some started plugin enforces this limit (else it promises nothing yet)' }),
    }),
  ),
  enforced: Type.Array(Type.String(), { description: 'Limit keys the started plugins enforce' }),
});

const ReasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);

/** Who may do what, for the API reference. */
const ACTION_DESCRIPTIONS: Partial<Record<SubscriptionAction, string>> = {
  suspend:
    'Records who suspended it (`suspendedBy`: `platform` for an administrator or the CLI, `reseller`): only that ' +
    'level or above may lift the suspension.',
  unsuspend:
    'Lifts a suspension made at your level or below: a reseller lifts its own, an administrator any. A suspension ' +
    'by the platform (an administrator, the CLI, or the suspension of the customer by one) answers 403 ' +
    '`ACCOUNTS_ERR_SUSPENDED_ABOVE` to a reseller, with `details.suspendedBy`.',
};

/** Actions take an optional body: a request without one reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

/** The package may be sold by this actor: admins any live one; resellers their own. */
async function sellablePackage(deps: AccountsDeps, actor: Actor, id: string, trx: Knex.Transaction): Promise<PackageRow> {
  const pkg = await visiblePackage(deps, actor, id, trx);
  if (actor.role !== 'super_admin' && pkg.owner_id !== actor.userId) throw AccountsErrors.packageNotOwned('sell', pkgRef(pkg));
  if (pkg.archived_at) throw AccountsErrors.packageArchived(id);
  return pkg;
}

function priceOf(pkg: PackageRow, cycle: Cycle): number | null {
  return cycle === 'monthly' ? pkg.price_monthly : cycle === 'quarterly' ? pkg.price_quarterly : pkg.price_yearly;
}

async function reloadSubscription(db: AccountsDeps['db'], id: string, trx?: Knex.Transaction): Promise<SubscriptionRow> {
  return (await selectSubscriptions(db, trx).where(`${db.schema}.subscriptions.id`, id).first()) as SubscriptionRow;
}

/** Move a subscription through the status machine (the API's actions and the CLI's). */
export async function transitionSubscription(
  deps: AccountsDeps,
  actor: Actor,
  id: string,
  name: SubscriptionAction,
  reason: string | null,
  source: ChangeSource | FastifyRequest,
): Promise<SubscriptionRow> {
  const { db } = deps;
  const rule = TRANSITIONS[name];
  return db.transaction(async (trx) => {
    const current = await scopedSubscription(deps, actor, id, trx);
    if (!(rule.from as readonly string[]).includes(current.status))
      throw AccountsErrors.transitionRefused(current.status, rule.verb);
    // A suspension is lifted at its author's level or above (suspension-levels.ts).
    const level = levelOf(actor.role);
    if (name === 'unsuspend') assertMayLift('subscription', level, current.suspended_by_level);
    const suspending = name === 'suspend';
    await db
      .table('subscriptions', trx)
      .where({ id: current.id })
      .update({
        status: rule.to,
        suspend_reason: suspending ? reason : null,
        suspended_with_user: false,
        suspended_by: suspending && actor.userId !== PLATFORM_ACTOR.userId ? actor.userId : null,
        suspended_by_level: suspending ? level : null,
        updated_at: db.knex.fn.now(),
      });
    await audit(
      deps,
      source,
      `accounts.subscription.${rule.verb}`,
      { type: 'subscription', id: current.id },
      { from: current.status, ...(reason ? { reason } : {}) },
      trx,
    );
    await emitTransition(deps, name, current, trx, reason);
    return reloadSubscription(db, current.id, trx);
  });
}

/** Assign a package to a customer; its limits apply at once (the API's create and the CLI's). */
export async function createSubscription(
  deps: AccountsDeps,
  actor: Actor,
  body: Static<typeof NewSubscriptionBody>,
  source: ChangeSource | FastifyRequest,
): Promise<SubscriptionRow> {
  const { db } = deps;
  const customer = await deps.users.get(body.customerId);
  // Outside the subtree reads as "no such customer", like every foreign id.
  if (!customer || !(await deps.tenancy.canAccessUser(actor, customer.id)))
    throw AccountsErrors.customerInvalid(`No customer ${body.customerId}`);
  if (customer.id === actor.userId) throw AccountsErrors.customerInvalid('You cannot subscribe yourself');
  if (customer.status !== 'active') throw AccountsErrors.customerInvalid(`The customer is ${customer.status}`);
  const allowed = actor.role === 'super_admin' ? ['customer', 'reseller'] : ['customer'];
  if (!allowed.includes(customer.role))
    throw AccountsErrors.customerInvalid(`A ${customer.role} cannot hold a subscription you assign`);
  return db.transaction(async (trx) => {
    const pkg = await sellablePackage(deps, actor, body.packageId, trx);
    if (priceOf(pkg, body.billingCycle) === null) throw AccountsErrors.priceMissing(body.billingCycle);
    const [created] = (await db
      .table('subscriptions', trx)
      .insert({
        customer_id: customer.id,
        package_id: pkg.id,
        status: body.status ?? 'active',
        billing_cycle: body.billingCycle,
        next_due_date: body.nextDueDate ?? nextDue(body.billingCycle),
      })
      .returning('id')) as Array<{ id: string }>;
    const id = (created as { id: string }).id;
    await deps.limits.setLimits(id, fullLimits(pkg.limits), { trx });
    await audit(
      deps,
      source,
      'accounts.subscription.created',
      { type: 'subscription', id },
      { customerId: customer.id, packageId: pkg.id },
      trx,
    );
    const sub = await reloadSubscription(db, id, trx);
    await deps.events.emit(
      'subscription.created',
      { subscriptionId: id, customerId: customer.id, packageId: pkg.id, status: sub.status },
      { trx },
    );
    return sub;
  });
}

export function subscriptionRoutes(deps: AccountsDeps) {
  const { db } = deps;
  const S = `${db.schema}.subscriptions`;

  async function reload(id: string, trx?: Knex.Transaction): Promise<SubscriptionRow> {
    return reloadSubscription(db, id, trx);
  }

  function action(name: SubscriptionAction) {
    return async (request: FastifyRequest) => {
      const params = request.params as { id: string };
      const reason = (request.body as { reason?: string }).reason ?? null;
      return subscriptionView(await transitionSubscription(deps, actorOf(request), params.id, name, reason, request));
    };
  }

  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'accounts.subscription.read' },
        schema: {
          summary: 'Subscriptions in your subtree',
          tags,
          querystring: ListQuery,
          response: { 200: SubscriptionList, ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        const base = scopeSubscriptions(deps, selectSubscriptions(db), actorOf(request));
        if (q.customerId) base.where(`${S}.customer_id`, q.customerId);
        if (q.packageId) base.where(`${S}.package_id`, q.packageId);
        if (q.status) base.where(`${S}.status`, q.status);
        const { rows, total } = await paginate<SubscriptionRow>(
          base,
          (b) => b.orderBy([{ column: `${S}.created_at` }, { column: `${S}.id` }]),
          q.page,
          q.limit,
        );
        return { items: rows.map(subscriptionView), total, page: q.page, limit: q.limit };
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'accounts.subscription.read' },
        schema: { summary: 'One subscription', tags, params: IdParams, response: { 200: SubscriptionSchema, ...errorResponses } },
      },
      async (request) => subscriptionView(await scopedSubscription(deps, actorOf(request), request.params.id)),
    );

    app.post(
      '/',
      {
        config: { permission: 'accounts.subscription.write' },
        schema: {
          summary: 'Assign a package to a customer (its limits apply at once)',
          tags,
          body: NewSubscriptionBody,
          response: { 201: SubscriptionSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const row = await createSubscription(deps, actorOf(request), request.body, request);
        return reply.code(201).send(subscriptionView(row));
      },
    );

    for (const name of Object.keys(TRANSITIONS) as SubscriptionAction[]) {
      app.post(
        `/:id/${name}`,
        {
          config: { permission: 'accounts.subscription.write' },
          schema: {
            summary: `${name[0]?.toUpperCase()}${name.slice(1)} a subscription`,
            ...(ACTION_DESCRIPTIONS[name] ? { description: ACTION_DESCRIPTIONS[name] } : {}),
            tags,
            params: IdParams,
            body: ReasonBody,
            response: { 200: SubscriptionSchema, ...errorResponses },
          },
          preValidation: emptyBodyAsObject,
        },
        action(name),
      );
    }

    app.post(
      '/:id/change-package',
      {
        config: { permission: 'accounts.subscription.write' },
        schema: {
          summary: 'Upgrade or downgrade; refused when current usage exceeds the new limits',
          tags,
          params: IdParams,
          body: Type.Object({ packageId: Uuid }, { additionalProperties: false }),
          response: { 200: SubscriptionSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const row = await db.transaction(async (trx) => {
          const current = await scopedSubscription(deps, actor, request.params.id, trx);
          if (current.status === 'terminated' || current.status === 'cancelled')
            throw AccountsErrors.transitionRefused(current.status, 'changed');
          const pkg = await sellablePackage(deps, actor, request.body.packageId, trx);
          if (priceOf(pkg, current.billing_cycle) === null) throw AccountsErrors.priceMissing(current.billing_cycle);
          const limits = fullLimits(pkg.limits);
          const over = await deps.limits.wouldExceed(current.id, limits);
          if (over.length > 0)
            throw AccountsErrors.usageExceedsPackage(
              over.map((u) => u.resource),
              over,
            );
          await db
            .table('subscriptions', trx)
            .where({ id: current.id })
            .update({ package_id: pkg.id, updated_at: db.knex.fn.now() });
          await deps.limits.setLimits(current.id, limits, { trx });
          await audit(
            deps,
            request,
            'accounts.subscription.package_changed',
            { type: 'subscription', id: current.id },
            { from: current.package_id, to: pkg.id },
            trx,
          );
          await deps.events.emit(
            'subscription.package_changed',
            {
              subscriptionId: current.id,
              customerId: current.customer_id,
              fromPackageId: current.package_id,
              toPackageId: pkg.id,
            },
            { trx },
          );
          return reload(current.id, trx);
        });
        return subscriptionView(row);
      },
    );

    app.get(
      '/:id/usage',
      {
        config: { permission: 'accounts.subscription.read' },
        schema: {
          summary: 'Used and limit per resource (limit null = unlimited)',
          tags,
          params: IdParams,
          response: { 200: UsageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const sub = await scopedSubscription(deps, actorOf(request), request.params.id);
        const lines = await deps.limits.usage(sub.id);
        const byName = new Map(lines.map((l) => [l.resource, l]));
        // Every package resource, in a fixed order, then any other a plugin counts.
        const resources = [
          ...LIMIT_KEYS.map((k) => byName.get(k) ?? { resource: k, used: 0, limit: null }),
          ...lines.filter((l) => !(LIMIT_KEYS as readonly string[]).includes(l.resource)),
        ];
        const enforced = deps.limits.enforced();
        return {
          subscriptionId: sub.id,
          resources: resources.map((r) => ({ ...r, enforced: enforced.includes(r.resource) })),
          enforced,
        };
      },
    );
  };
}
