/**
 * `/v1/billing/credits/:customerId`: a customer's credit balances and ledger (anyone whose tree
 * holds the customer), and manual credit granted or taken back by its seller or an admin.
 */
import { CommonErrors, errorResponses, Type, type AuditService, type RouteApp, type TenancyService } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BillingErrors } from '../errors.js';
import type { Credits } from '../services/credits.js';
import type { Invoicing } from '../services/invoicing.js';
import { Currency, OneLine, Uuid } from './schemas.js';

const tags = ['billing'];
const Params = Type.Object({ customerId: Uuid }, { additionalProperties: false });

const Balance = Type.Object({ issuer: Type.String(), currency: Type.String(), balance: Type.Integer() });
const Entry = Type.Object({
  id: Uuid,
  issuer: Type.String(),
  currency: Type.String(),
  amount: Type.Integer({ description: 'Minor units; negative when credit was spent or taken back' }),
  balanceAfter: Type.Integer(),
  kind: Type.Union(['grant', 'adjustment', 'overpayment', 'refund', 'applied', 'proration'].map((k) => Type.Literal(k))),
  invoiceId: Type.Union([Uuid, Type.Null()]),
  creditNoteId: Type.Union([Uuid, Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const GrantBody = Type.Object(
  {
    amount: Type.Integer({
      minimum: -1_000_000_000_000,
      maximum: 1_000_000_000_000,
      not: { const: 0 },
      description: 'Minor units: positive grants credit, negative takes unspent credit back (never below zero)',
    }),
    currency: Currency,
    note: OneLine(500),
  },
  { additionalProperties: false },
);

function actorOf(request: FastifyRequest) {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

export function creditRoutes(deps: { credits: Credits; invoicing: Invoicing; tenancy: TenancyService; audit: AuditService }) {
  const { credits, invoicing, tenancy, audit } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/:customerId',
      {
        config: { permission: 'billing.invoice.read' },
        schema: {
          summary: 'A customer’s credit balances (per seller and currency) and its newest ledger entries',
          tags,
          params: Params,
          querystring: Type.Object(
            { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ balances: Type.Array(Balance), ledger: Type.Array(Entry) }),
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const { customerId } = request.params;
        if (!(await tenancy.canAccessUser(actorOf(request), customerId))) throw BillingErrors.customerNotFound(customerId);
        return {
          balances: await credits.balancesOf(customerId),
          ledger: await credits.ledgerOf(customerId, request.query.limit),
        };
      },
    );

    app.post(
      '/:customerId',
      {
        config: { permission: 'billing.invoice.manage' },
        schema: {
          summary: 'Grant credit to a customer you sell to (or take unspent credit back); applied to its next invoices',
          tags,
          params: Params,
          body: GrantBody,
          response: { 200: Type.Object({ balance: Balance }), ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { customerId } = request.params;
        if (!(await tenancy.canAccessUser(actor, customerId))) throw BillingErrors.customerNotFound(customerId);
        const issuer = await invoicing.issuerOf(customerId);
        if (actor.role !== 'super_admin' && issuer !== actor.userId) throw BillingErrors.notIssuer();
        const { amount, currency, note } = request.body;
        const balance = await invoicing.store.db.transaction(async (trx) => {
          const after = await credits.move(trx, {
            customerId,
            issuer,
            currency,
            amount,
            kind: amount > 0 ? 'grant' : 'adjustment',
            note,
            createdBy: actor.userId,
          });
          await audit.record(
            {
              action: 'billing.credit.granted',
              actorId: actor.userId,
              target: { type: 'user', id: customerId },
              details: { amount, currency, note, balance: after },
              ip: request.ip,
              requestId: request.id,
            },
            { trx },
          );
          return after;
        });
        return { balance: { issuer, currency, balance } };
      },
    );
  };
}
