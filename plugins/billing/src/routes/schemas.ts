/** Schemas shared by billing's route files. */
import { Type } from '@hostplane/sdk';

export const Uuid = Type.String({ format: 'uuid' });
export const OneLine = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const Money = (description = 'Minor units (cents)') =>
  Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' });

export const CreditNoteSchema = Type.Object({
  id: Uuid,
  number: Type.String({ description: 'Gapless per issuer and year: CN-2026-00001' }),
  issueDate: Type.String({ format: 'date', description: 'The date printed on the note' }),
  currency: Type.String(),
  subtotal: Type.Integer(),
  taxTotal: Type.Integer(),
  total: Type.Integer(),
  reason: Type.Union([Type.String(), Type.Null()]),
  settlement: Type.Union([Type.Literal('refund'), Type.Literal('credit')]),
  createdAt: Type.String({ format: 'date-time' }),
  refunds: Type.Array(
    Type.Object({
      gateway: Type.String(),
      amount: Type.Integer(),
      status: Type.Union(
        ['succeeded', 'pending', 'recorded', 'credited'].map((x) => Type.Literal(x)),
        {
          description: '`recorded`: the issuer pays it back by hand; `credited`: it went to the credit balance',
        },
      ),
      gatewayRefundId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const DisputeSchema = Type.Object({
  id: Type.String({ description: "The gateway's dispute id (Stripe: du_…)" }),
  gateway: Type.String(),
  status: Type.String({ description: "The gateway's status, e.g. needs_response, under_review, won, lost, warning_closed" }),
  outcome: Type.Union(
    ['open', 'won', 'lost', 'closed'].map((x) => Type.Literal(x)),
    {
      description:
        '`lost`: the payment was reversed and the invoice is owed again; `closed`: an inquiry ended without a chargeback',
    },
  ),
  reason: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Integer(),
  currency: Type.String(),
  evidenceDueBy: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Answer at the gateway by' }),
  openedAt: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reversedAmount: Type.Integer({ description: 'What a lost dispute took back from the payment' }),
  reversedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reinstatedAmount: Type.Integer({
    description: 'What came back when a lost dispute was won after all (pre-arbitration): to the invoice, the rest to credit',
  }),
  reinstatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
