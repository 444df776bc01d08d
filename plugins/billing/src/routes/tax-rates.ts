/**
 * `/v1/billing/tax-rates`: the tax rates a seller charges its customers, one per country or
 * region. A reseller manages its own (its issuer); an administrator the platform's, and any
 * reseller's by naming it (`issuer`), as with coupons. Another reseller's rate reads as unknown
 * (404), like any foreign id.
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp, type UsersService } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BillingErrors } from '../errors.js';
import { taxRateView, type TaxRates } from '../services/tax-rates.js';
import { IdParams, Uuid } from './schemas.js';

const tags = ['billing'];
const IssuerId = Type.String({
  pattern: '^(platform|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
  description: 'Administrators only: `platform` (default) or a reseller’s id',
});

export const TaxRateSchema = Type.Object({
  id: Uuid,
  issuer: Type.String({ description: '`platform` or the reseller’s user id' }),
  country: Type.String({ description: 'ISO 3166-1 alpha-2' }),
  region: Type.Union([Type.String(), Type.Null()], { description: 'null: the whole country (where no region rate matches)' }),
  name: Type.String({ description: 'Printed on invoice lines, e.g. "VAT 19 %"' }),
  rateBp: Type.Integer({ description: 'Basis points: 1900 = 19 %' }),
  createdAt: Type.String({ format: 'date-time' }),
});

/** A create or replace; also the panel's forms (titles are their labels). */
export const TaxRateBody = Type.Object(
  {
    country: Type.String({ title: 'Country', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, e.g. DE' }),
    region: Type.Optional(
      Type.String({
        title: 'Region',
        minLength: 1,
        maxLength: 50,
        pattern: '^[^\\u0000-\\u001f\\u007f]+$',
        description:
          'State or province, as customers enter it in their billing details (e.g. CA); leave out for the whole country',
      }),
    ),
    name: Type.String({
      title: 'Name on invoices',
      minLength: 1,
      maxLength: 60,
      pattern: '^[^\\u0000-\\u001f\\u007f]+$',
      description: 'e.g. VAT 19 %',
    }),
    rateBp: Type.Integer({
      title: 'Rate (basis points)',
      minimum: 0,
      maximum: 10_000,
      description: '1900 = 19 %; 0: zero-rated',
    }),
  },
  { additionalProperties: false },
);

export const NewTaxRateBody = Type.Object(
  { ...TaxRateBody.properties, issuer: Type.Optional(IssuerId) },
  { additionalProperties: false },
);

const TaxRateList = Type.Object({
  issuer: Type.String(),
  pricesIncludeTax: Type.Boolean({ description: 'The issuer’s prices already contain the tax (else it is added on top)' }),
  items: Type.Array(TaxRateSchema),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const sourceOf = (request: FastifyRequest) => ({ actorId: actorOf(request).userId, ip: request.ip, requestId: request.id });

/** Whose rates the actor manages by id: a reseller its own, an administrator everyone's (`null`). */
const managedIssuer = (actor: Actor): string | null => (actor.role === 'super_admin' ? null : actor.userId);

export function taxRateRoutes(deps: {
  taxRates: TaxRates;
  users: UsersService;
  pricesIncludeTax: (issuer: string) => Promise<boolean>;
}) {
  const { taxRates, users } = deps;

  /** The issuer the actor names (or means): a reseller only itself; an admin the platform or a reseller. */
  async function issuerFor(actor: Actor, wanted: string | undefined): Promise<string> {
    if (actor.role !== 'super_admin') {
      if (wanted !== undefined && wanted !== actor.userId) throw BillingErrors.notIssuer();
      return actor.userId;
    }
    const issuer = wanted ?? 'platform';
    if (issuer !== 'platform' && (await users.get(issuer))?.role !== 'reseller')
      throw BillingErrors.taxRateInvalid('issuer', 'the issuer is `platform` or a reseller');
    return issuer;
  }

  const config = { permission: 'billing.tax-rate.manage' };
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config,
        schema: {
          summary: 'Your tax rates (administrators: the platform’s, or a reseller’s with `issuer`), by place',
          tags,
          querystring: Type.Object({ issuer: Type.Optional(IssuerId) }, { additionalProperties: false }),
          response: { 200: TaxRateList, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const issuer = await issuerFor(actorOf(request), request.query.issuer);
        return {
          issuer,
          pricesIncludeTax: await deps.pricesIncludeTax(issuer),
          items: (await taxRates.list(issuer)).map(taxRateView),
        };
      },
    );

    app.post(
      '/',
      {
        config,
        schema: {
          summary: 'Add the tax rate of a country or region; applies to invoices issued from now on',
          tags,
          body: NewTaxRateBody,
          response: { 201: TaxRateSchema, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const { issuer: wanted, ...input } = request.body;
        const issuer = await issuerFor(actorOf(request), wanted);
        return reply.code(201).send(taxRateView(await taxRates.create(issuer, input, sourceOf(request))));
      },
    );

    app.get(
      '/:id',
      {
        config,
        schema: {
          summary: 'One of your tax rates',
          tags,
          params: IdParams,
          response: { 200: TaxRateSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => taxRateView(await taxRates.get(request.params.id, managedIssuer(actorOf(request)))),
    );

    app.put(
      '/:id',
      {
        config,
        schema: {
          summary: 'Replace a tax rate (a region left out is cleared); issued invoices keep theirs',
          tags,
          params: IdParams,
          body: TaxRateBody,
          response: { 200: TaxRateSchema, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        taxRateView(await taxRates.replace(request.params.id, managedIssuer(actorOf(request)), request.body, sourceOf(request))),
    );

    app.delete(
      '/:id',
      {
        config,
        schema: {
          summary: 'Delete a tax rate; issued invoices keep theirs, later ones fall back to the country’s rate or none',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await taxRates.remove(request.params.id, managedIssuer(actorOf(request)), sourceOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
