/** `POST /v1/invoices/:id/refund`: give paid money back under a credit note (issuer or admin). */
import { CommonErrors, errorResponses, Type, type RouteApp } from '@hostplane/sdk';
import type { Refunds } from '../services/refunds.js';
import { invoiceView } from '../services/invoices.js';
import { CreditNoteSchema, IdParams, Money, OneLine } from './schemas.js';
import { InvoiceSchema } from './invoices.js';

/** The body of a refund; also the panel's refund form (titles are its labels). */
export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        ...Money('Minor units (cents); leave empty for all that was paid and not yet refunded'),
        title: 'Amount (cents)',
      }),
    ),
    reason: Type.Optional(Type.String({ ...OneLine(500), title: 'Reason (on the credit note)' })),
    to: Type.Optional(
      Type.Union([Type.Literal('original'), Type.Literal('credit')], {
        title: 'Give it back',
        description:
          '`original` (default): back through the gateway that took each payment when it refunds, else recorded for a ' +
          'refund by hand; `credit`: to the customer’s credit balance',
      }),
    ),
  },
  { additionalProperties: false },
);

const RefundResponse = Type.Object({
  invoice: InvoiceSchema,
  creditNote: Type.Pick(CreditNoteSchema, ['id', 'number', 'total']),
  refunds: Type.Array(Type.Object({ gateway: Type.String(), amount: Type.Integer(), status: Type.String() })),
});

export function refundRoutes(deps: { refunds: Refunds }) {
  return (app: RouteApp): void => {
    app.post(
      '/:id/refund',
      {
        config: { permission: 'billing.invoice.manage' },
        preValidation: (request, _reply, done) => {
          if (request.body === undefined || request.body === null) request.body = {};
          done();
        },
        schema: {
          summary: 'Refund a paid invoice, all or part, under a credit note of its own number; issuer or admin',
          tags: ['invoices'],
          params: IdParams,
          body: RefundBody,
          response: { 200: RefundResponse, ...errorResponses(400, 401, 403, 404, 409, 502) },
        },
      },
      async (request) => {
        if (!request.actor) throw CommonErrors.unauthenticated();
        const result = await deps.refunds.refund(request.actor, request.params.id, request.body, {
          actorId: request.actor.userId,
          ip: request.ip,
          requestId: request.id,
        });
        return { ...result, invoice: invoiceView(result.invoice) };
      },
    );
  };
}
