/**
 * `/v1/billing/issuer`: the seller's own invoicing details. A reseller manages its own (its
 * customers' invoices go out under its name, address, tax id, numbering, logo, colour and, with
 * keys of its own, its own payment account); an administrator the platform's, or a reseller's
 * by naming it (`?issuer=`), as with coupons and tax rates.
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp, type UsersService } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BillingErrors } from '../errors.js';
import type { IssuerInput, Issuers } from '../services/issuers.js';

const tags = ['billing'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const IssuerQuery = Type.Object(
  {
    issuer: Type.Optional(
      Type.String({
        pattern: '^(platform|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
        description: 'Administrators only: `platform` (default) or a reseller’s id',
      }),
    ),
  },
  { additionalProperties: false },
);
// One line of printable text; an address may also break lines.
const LINE = '^[^\\u0000-\\u001f\\u007f]*$';

export const IssuerSchema = Type.Object({
  issuer: Type.String({ description: '`platform` or the reseller’s user id' }),
  name: Type.String(),
  address: Type.String(),
  country: Nullable(Type.String()),
  taxId: Nullable(Type.String()),
  numberPrefix: Type.String(),
  replyTo: Nullable(Type.String()),
  pricesIncludeTax: Type.Boolean(),
  paymentTermsDays: Type.Integer(),
  color: Nullable(Type.String({ description: 'Accent colour of mails, #rrggbb; null: the platform’s' })),
  hasLogo: Type.Boolean(),
  paymentAccounts: Type.Array(
    Type.Object({
      gateway: Type.String(),
      secrets: Type.Array(Type.String(), { description: 'Names only: values are never shown' }),
    }),
  ),
  resellerGateways: Type.Array(Type.String(), { description: 'Gateways you may store keys of your own for' }),
  updatedAt: Nullable(Type.String({ format: 'date-time', description: 'null: never saved (the defaults apply)' })),
});

/** A save; also the panel's form (titles are its labels). */
export const IssuerBody = Type.Object(
  {
    name: Type.String({ title: 'Name on invoices', minLength: 1, maxLength: 200, pattern: LINE }),
    address: Type.Optional(
      Type.String({ title: 'Address', maxLength: 500, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' }),
    ),
    country: Type.Optional(
      Type.String({ title: 'Country', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2: decides reverse charge' }),
    ),
    taxId: Type.Optional(Type.String({ title: 'Tax or VAT id', minLength: 2, maxLength: 30, pattern: '^[A-Za-z0-9 .-]+$' })),
    numberPrefix: Type.Optional(
      Type.String({
        title: 'Invoice number prefix',
        pattern: '^[A-Za-z0-9-]{0,12}$',
        default: 'INV-',
        description: 'e.g. INV-: numbers stay one gapless sequence per year whatever the prefix',
      }),
    ),
    replyTo: Type.Optional(Type.String({ title: 'Reply-to address', format: 'email', maxLength: 254 })),
    pricesIncludeTax: Type.Optional(Type.Boolean({ title: 'Prices include tax', default: false })),
    paymentTermsDays: Type.Optional(Type.Integer({ title: 'Days to pay', minimum: 0, maximum: 365, default: 14 })),
    color: Type.Optional(Type.String({ title: 'Colour of your mails (#rrggbb)', pattern: '^#[0-9a-fA-F]{6}$' })),
  },
  { additionalProperties: false },
);

const LogoBody = Type.Object(
  { content: Type.String({ maxLength: 300_000, description: 'The PNG or JPEG, base64 (at most 200 KB decoded)' }) },
  { additionalProperties: false },
);

/** A gateway's keys as named fields (Stripe: `secretKey`, `webhookSecret`); an empty object removes them. */
export const AccountBody = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }),
  Type.String({ minLength: 1, maxLength: 500, pattern: LINE, writeOnly: true }),
  {
    maxProperties: 10,
  },
);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const sourceOf = (request: FastifyRequest) => ({ actorId: actorOf(request).userId, ip: request.ip, requestId: request.id });

export function issuerRoutes(deps: { issuers: Issuers; users: UsersService }) {
  const { issuers, users } = deps;

  /** The issuer the actor names (or means): a reseller only itself; an admin the platform or a reseller. */
  async function issuerFor(request: FastifyRequest): Promise<string> {
    const actor = actorOf(request);
    const wanted = (request.query as { issuer?: string }).issuer;
    if (actor.role !== 'super_admin') {
      if (wanted !== undefined && wanted !== actor.userId) throw BillingErrors.notIssuer();
      return actor.userId;
    }
    const issuer = wanted ?? 'platform';
    if (issuer !== 'platform' && (await users.get(issuer))?.role !== 'reseller')
      throw BillingErrors.issuerInvalid('issuer', 'the issuer is `platform` or a reseller');
    return issuer;
  }

  const config = { permission: 'billing.issuer.manage' };
  const errors = errorResponses(400, 401, 403);
  return (app: RouteApp): void => {
    app.get(
      '/issuer',
      {
        config,
        schema: {
          summary: 'Your invoicing details as a seller (administrators: the platform’s, or a reseller’s with `issuer`)',
          tags,
          querystring: IssuerQuery,
          response: { 200: IssuerSchema, ...errors },
        },
      },
      async (request) => issuers.get(await issuerFor(request)),
    );
    app.put(
      '/issuer',
      {
        config,
        schema: {
          summary:
            'Replace your invoicing details (fields left out take their defaults; the logo stays); applies to the next invoice',
          tags,
          querystring: IssuerQuery,
          body: IssuerBody,
          response: { 200: IssuerSchema, ...errors },
        },
      },
      async (request) => issuers.put(await issuerFor(request), request.body as IssuerInput, sourceOf(request)),
    );
    app.put(
      '/issuer/logo',
      {
        config,
        bodyLimit: 512 * 1024,
        schema: {
          summary: 'Set the logo printed on invoices and shown in mails (PNG or JPEG, at most 200 KB)',
          tags,
          querystring: IssuerQuery,
          body: LogoBody,
          response: { 200: IssuerSchema, ...errors },
        },
      },
      async (request) => {
        const content = request.body.content;
        const bytes = Buffer.from(content, 'base64');
        if (bytes.toString('base64').replace(/=+$/, '') !== content.replace(/=+$/, ''))
          throw BillingErrors.issuerInvalid('content', 'not valid base64');
        return issuers.setLogo(await issuerFor(request), bytes, sourceOf(request));
      },
    );
    app.delete(
      '/issuer/logo',
      {
        config,
        schema: { summary: 'Remove the logo', tags, querystring: IssuerQuery, response: { 200: IssuerSchema, ...errors } },
      },
      async (request) => issuers.setLogo(await issuerFor(request), null, sourceOf(request)),
    );
    app.put(
      '/issuer/payment-accounts/:gateway',
      {
        config,
        schema: {
          summary: 'Your own keys at a payment gateway, so your customers pay into your account (sealed; never shown again)',
          description:
            'Stripe: `secretKey` and `webhookSecret`. An empty object removes them (payments go back to being refused).',
          tags,
          params: Type.Object({ gateway: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' }) }, { additionalProperties: false }),
          querystring: IssuerQuery,
          body: AccountBody,
          response: { 200: IssuerSchema, ...errors },
        },
      },
      async (request) =>
        issuers.setPaymentAccount(
          await issuerFor(request),
          request.params.gateway,
          request.body as Record<string, string>,
          sourceOf(request),
        ),
    );
  };
}
