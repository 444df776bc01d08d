/**
 * What the next invoices will be: `GET /v1/billing/subscriptions/:id/next-invoice` for one
 * subscription in the caller's tree (another tree's: 404), `GET /v1/billing/upcoming-invoices`
 * for the caller's live subscriptions, soonest first. Previews only (services/next-invoice.ts).
 */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { NextInvoices } from '../services/next-invoice.js';
import { IdParams, Uuid } from './schemas.js';

const tags = ['billing'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = Type.String({ format: 'date' });

export const NextInvoiceSchema = Type.Object({
  subscriptionId: Uuid,
  customerId: Uuid,
  packageName: Type.String(),
  status: Type.String({ description: 'The subscription’s status' }),
  currency: Type.String(),
  issueDate: Nullable(Day),
  dueDate: Nullable(Day),
  periodStart: Nullable(Day),
  periodEnd: Nullable(Type.String({ format: 'date', description: 'The period’s last day' })),
  pricesIncludeTax: Type.Boolean(),
  lines: Type.Array(
    Type.Object({
      kind: Type.String(),
      description: Type.String(),
      amount: Type.Integer(),
      taxName: Type.String(),
      taxRateBp: Type.Integer(),
    }),
  ),
  subtotal: Nullable(Type.Integer()),
  taxTotal: Nullable(Type.Integer()),
  total: Nullable(Type.Integer({ description: 'Minor units; null: no invoice is coming (see reason)' })),
  creditAvailable: Type.Integer({ description: 'Credit that pays the invoice first, once it is issued' }),
  reason: Nullable(Type.String({ description: 'Why no invoice is coming' })),
});

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const config = { permission: 'billing.invoice.read' };

/** Under `/v1/billing/subscriptions`. */
export function nextInvoiceRoutes(deps: { nextInvoices: NextInvoices }) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/next-invoice',
      {
        config,
        schema: {
          summary: 'What the subscription’s next invoice will be, as the run would issue it today (nothing is written)',
          tags,
          params: IdParams,
          response: { 200: NextInvoiceSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => deps.nextInvoices.forSubscription(actorOf(request), request.params.id),
    );
  };
}

/** Under `/v1/billing`. */
export function upcomingInvoiceRoutes(deps: { nextInvoices: NextInvoices }) {
  return (app: RouteApp): void => {
    app.get(
      '/upcoming-invoices',
      {
        config,
        schema: {
          summary: 'The next invoices of your (and your customers’) active subscriptions, soonest first',
          tags,
          querystring: Type.Object(
            { limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(NextInvoiceSchema) }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => ({ items: await deps.nextInvoices.upcoming(actorOf(request), request.query.limit) }),
    );
  };
}
