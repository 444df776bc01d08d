/**
 * `/v1/billing/coupons`: a seller's coupons (resellers their own, admins the platform's and any
 * reseller's), and `/v1/billing/subscriptions/:id/coupon`: a customer redeems a code on its
 * subscription (or its seller does for it).
 */
import {
  CommonErrors,
  errorResponses,
  Type,
  type Actor,
  type ClockService,
  type RouteApp,
  type TenancyService,
  type UsersService,
} from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BillingErrors } from '../errors.js';
import { couponView, type Coupons } from '../services/coupons.js';
import type { Invoicing } from '../services/invoicing.js';
import type { BillingStore } from '../services/store.js';
import { Currency, IdParams, Uuid } from './schemas.js';

const tags = ['billing'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const CouponSchema = Type.Object({
  id: Uuid,
  issuer: Type.String({ description: '`platform` or the reseller’s user id' }),
  code: Type.String(),
  kind: Type.Union([Type.Literal('percent'), Type.Literal('fixed')]),
  percentBp: Nullable(Type.Integer({ description: 'Basis points: 2500 = 25 %' })),
  amount: Nullable(Type.Integer({ description: 'Minor units' })),
  currency: Nullable(Type.String()),
  duration: Type.Union([Type.Literal('once'), Type.Literal('recurring')]),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  maxRedemptions: Nullable(Type.Integer()),
  redemptions: Type.Integer(),
  archived: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const Code = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$',
  description: '3–32 letters, digits, - and _; stored in upper case',
});

export const NewCouponBody = Type.Object(
  {
    code: Code,
    kind: Type.Union([Type.Literal('percent'), Type.Literal('fixed')]),
    percentBp: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'percent coupons: basis points' })),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'fixed coupons: minor units' })),
    currency: Type.Optional(Currency),
    duration: Type.Union([Type.Literal('once'), Type.Literal('recurring')], {
      description: '`once`: the next invoice; `recurring`: every invoice while the subscription holds it',
    }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Redeemable until then' })),
    maxRedemptions: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    issuer: Type.Optional(
      Type.String({ pattern: '^(platform|[0-9a-f-]{36})$', description: 'Admins only: `platform` (default) or a reseller id' }),
    ),
  },
  { additionalProperties: false },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

/** Whose coupons the actor manages: a reseller its own, an admin everyone's (`null`). */
const managedIssuer = (actor: Actor): string | null => (actor.role === 'super_admin' ? null : actor.userId);

export function couponRoutes(deps: { coupons: Coupons; users: UsersService }) {
  const { coupons, users } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'billing.coupon.manage' },
        schema: {
          summary: 'Your coupons (admins: every seller’s), newest first',
          tags,
          querystring: Type.Object({ archived: Type.Boolean({ default: false }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(CouponSchema) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => ({
        items: (await coupons.list(managedIssuer(actorOf(request)), request.query.archived)).map(couponView),
      }),
    );

    app.post(
      '/',
      {
        config: { permission: 'billing.coupon.manage' },
        schema: {
          summary: 'Create a coupon for your customers',
          tags,
          body: NewCouponBody,
          response: { 201: CouponSchema, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { issuer: wanted, expiresAt, ...body } = request.body;
        let issuer = actor.userId;
        if (actor.role === 'super_admin') {
          issuer = wanted ?? 'platform';
          if (issuer !== 'platform' && (await users.get(issuer))?.role !== 'reseller')
            throw BillingErrors.couponInvalid('issuer is `platform` or a reseller');
        } else if (wanted !== undefined && wanted !== actor.userId) throw BillingErrors.notIssuer();
        const row = await coupons.create({ ...body, issuer, ...(expiresAt ? { expiresAt } : {}) });
        return reply.code(201).send(couponView(row));
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'billing.coupon.manage' },
        schema: {
          summary: 'One of your coupons',
          tags,
          params: IdParams,
          response: { 200: CouponSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => couponView(await coupons.get(request.params.id, managedIssuer(actorOf(request)))),
    );

    app.post(
      '/:id/archive',
      {
        config: { permission: 'billing.coupon.manage' },
        schema: {
          summary: 'Stop a coupon from being redeemed (subscriptions holding it keep it)',
          tags,
          params: IdParams,
          response: { 200: CouponSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => couponView(await coupons.archive(request.params.id, managedIssuer(actorOf(request)))),
    );
  };
}

/** `/v1/billing/subscriptions/:id/coupon`: redeem or remove a subscription's coupon. */
export function subscriptionCouponRoutes(deps: {
  coupons: Coupons;
  invoicing: Invoicing;
  tenancy: TenancyService;
  store: BillingStore;
  clock: ClockService;
}) {
  const { coupons, invoicing, tenancy, store, clock } = deps;

  /** The subscription in the actor's tree, with its package's currency, or 404. */
  async function subscriptionOf(actor: Actor, id: string): Promise<{ id: string; customerId: string; currency: string }> {
    const q = store.db.knex
      .from('plugin_accounts.subscriptions as s')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .where('s.id', id)
      .whereNotIn('s.status', ['cancelled', 'terminated'])
      .first('s.id', 's.customer_id', store.db.knex.raw('p.currency::text as currency'));
    const row = (await tenancy.scope(q, actor, 's.customer_id')) as
      { id: string; customer_id: string; currency: string } | undefined;
    if (!row) throw BillingErrors.subscriptionNotFound(id);
    return { id: row.id, customerId: row.customer_id, currency: row.currency.trim() };
  }

  return (app: RouteApp): void => {
    app.post(
      '/:id/coupon',
      {
        config: { permission: 'billing.coupon.redeem' },
        schema: {
          summary: 'Redeem a coupon code on a subscription: taken off its next invoice (once) or every invoice (recurring)',
          tags,
          params: IdParams,
          body: Type.Object({ code: Code }, { additionalProperties: false }),
          response: { 200: CouponSchema, ...errorResponses(400, 401, 403, 404, 409, 410) },
        },
      },
      async (request) => {
        const sub = await subscriptionOf(actorOf(request), request.params.id);
        const row = await coupons.redeem({
          issuer: await invoicing.issuerOf(sub.customerId),
          code: request.body.code,
          subscriptionId: sub.id,
          customerId: sub.customerId,
          currency: sub.currency,
          now: clock.now(),
        });
        return couponView(row);
      },
    );

    app.delete(
      '/:id/coupon',
      {
        config: { permission: 'billing.coupon.redeem' },
        schema: {
          summary: 'Take the coupon off a subscription',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const sub = await subscriptionOf(actorOf(request), request.params.id);
        if (!(await coupons.remove(sub.id))) throw BillingErrors.couponNotFound(sub.id);
        return reply.code(204).send(null);
      },
    );
  };
}
