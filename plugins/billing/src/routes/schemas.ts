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
