/** `/v1/invoices`: list, read, pay, mark paid (bank transfer) and void, within the caller's tree. */
import {
  CommonErrors,
  errorResponses,
  Type,
  type Actor,
  type ClockService,
  type RouteApp,
  type TenancyService,
} from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { invoiceView, type InvoiceService, type ListFilter } from '../services/invoices.js';
import type { Paying } from '../services/paying.js';
import type { Documents } from '../services/documents.js';
import type { Invoicing } from '../services/invoicing.js';
import { invoiceActions } from '../services/invoice-actions.js';
import { BillingErrors } from '../errors.js';
import { dateOf } from '../services/periods.js';
import { CreditNoteSchema, DisputeSchema } from './schemas.js';

const tags = ['invoices'];
const Uuid = Type.String({ format: 'uuid' });
const DateString = Type.String({ format: 'date' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409);
const OneLine = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

const Status = Type.Union(
  ['draft', 'unpaid', 'paid', 'overdue', 'void', 'refunded', 'partially_refunded'].map((s) => Type.Literal(s)),
);

export const InvoiceSchema = Type.Object({
  id: Uuid,
  number: Nullable(Type.String()),
  status: Status,
  issuer: Type.String({ description: '`platform` or the reseller’s user id' }),
  issuerName: Type.String(),
  customerId: Uuid,
  subscriptionId: Nullable(Uuid),
  periodStart: Nullable(DateString),
  periodEnd: Nullable(DateString),
  currency: Type.String(),
  pricesIncludeTax: Type.Boolean(),
  reverseCharge: Type.Boolean(),
  subtotal: Type.Integer({ description: 'Minor units (cents)' }),
  taxTotal: Type.Integer(),
  total: Type.Integer(),
  amountPaid: Type.Integer(),
  amountRefunded: Type.Integer({ description: 'Given back through credit notes' }),
  amountDue: Type.Integer(),
  issueDate: Nullable(DateString),
  dueDate: Nullable(DateString),
  paidAt: Nullable(Type.String({ format: 'date-time' })),
  voidedAt: Nullable(Type.String({ format: 'date-time' })),
  voidReason: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

const InvoiceDetailSchema = Type.Composite([
  InvoiceSchema,
  Type.Object({
    lines: Type.Array(
      Type.Object({
        id: Uuid,
        invoiceId: Type.String({ format: 'uuid', description: 'The invoice the line is on' }),
        kind: Type.String(),
        description: Type.String(),
        quantity: Type.Integer(),
        unitAmount: Type.Integer(),
        amount: Type.Integer(),
        taxName: Type.String(),
        taxRateBp: Type.Integer({ description: 'Basis points: 1900 = 19 %' }),
      }),
    ),
    taxes: Type.Array(Type.Object({ name: Type.String(), rateBp: Type.Integer(), net: Type.Integer(), tax: Type.Integer() })),
    payments: Type.Array(
      Type.Object({
        id: Uuid,
        gateway: Type.String(),
        reference: Nullable(Type.String()),
        amount: Type.Integer(),
        reversed: Type.Integer({ description: 'Taken back by a lost dispute' }),
        createdAt: Type.String({ format: 'date-time' }),
      }),
    ),
    creditNotes: Type.Array(CreditNoteSchema),
    disputes: Type.Array(DisputeSchema, { description: 'Disputes (chargebacks, inquiries) of its card payments' }),
    allowed: Type.Object(
      {
        pay: Type.Array(Type.String(), { description: 'Gateways you can pay its balance with now' }),
        markPaid: Type.Boolean({ description: 'You may record a bank transfer on it' }),
        void: Type.Boolean({ description: 'You may void it' }),
        refund: Type.Boolean({ description: 'You may refund what was paid and not yet refunded' }),
        edit: Type.Boolean({ description: 'You may change its lines, issue or discard it (a draft)' }),
      },
      { description: 'What you may do with the invoice now (the panel offers only these)' },
    ),
  }),
]);

const ListQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    status: Type.Optional(Status),
    customerId: Type.Optional(Uuid),
    overdue: Type.Optional(Type.Boolean({ description: 'Unpaid and past the due date' })),
    from: Type.Optional(DateString),
    to: Type.Optional(DateString),
  },
  { additionalProperties: false },
);

const PayBody = Type.Object(
  {
    gateway: Type.String({
      minLength: 1,
      maxLength: 50,
      pattern: '^[a-z][a-z0-9-]*$',
      description: 'Payment method: `manual`, `stripe` …',
    }),
    paymentMethodId: Type.Optional(OneLine(200)),
  },
  { additionalProperties: false },
);

const PayResponse = Type.Object({
  invoice: InvoiceSchema,
  payment: Type.Object({
    status: Type.Union(['succeeded', 'pending', 'requires_action', 'failed'].map((s) => Type.Literal(s))),
    paymentId: Type.String(),
    instructions: Type.Optional(Type.String()),
    actionUrl: Type.Optional(Type.String()),
    failureCode: Type.Optional(Type.String()),
  }),
});

export const MarkPaidBody = Type.Object(
  {
    reference: Type.String({ ...OneLine(200), title: 'Reference' }),
    amount: Type.Optional(
      Type.Integer({
        title: 'Amount (cents)',
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Minor units; default: the whole balance',
      }),
    ),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    customerId: Uuid,
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
    lines: Type.Array(
      Type.Object(
        {
          description: OneLine(500),
          quantity: Type.Integer({ minimum: 1, maximum: 10_000, default: 1 }),
          unitAmount: Type.Integer({
            minimum: 0,
            maximum: 1_000_000_000,
            description: 'Minor units; never negative (corrections are credit notes)',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const VoidBody = Type.Object({ reason: Type.Optional(OneLine(500)) }, { additionalProperties: false });

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const sourceOf = (request: FastifyRequest) => ({ actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id });

/** Bodies are optional on void: a request without one reads as `{}`. */
function emptyBodyAsObject(request: FastifyRequest, _reply: unknown, done: () => void): void {
  if (request.body === undefined || request.body === null) request.body = {};
  done();
}

export function invoiceRoutes(deps: {
  invoices: InvoiceService;
  invoicing: Invoicing;
  tenancy: TenancyService;
  paying: Paying;
  documents: Documents;
  clock: ClockService;
  /** Ids of the payment gateways enabled now that can take payments for `issuer`. */
  gateways: (issuer: string) => Promise<string[]>;
}) {
  const { invoices, invoicing, tenancy, paying, documents, clock, gateways } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config: { permission: 'billing.invoice.read' },
        schema: {
          summary: 'Invoices of you and your customers, newest first',
          tags,
          querystring: ListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(InvoiceSchema),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const q = request.query;
        const { items, total } = await invoices.list(actorOf(request), q as ListFilter, dateOf(clock.now()));
        return { items, total, page: q.page, limit: q.limit };
      },
    );

    app.post(
      '/',
      {
        config: { permission: 'billing.invoice.manage' },
        schema: {
          summary: 'Issue a one-off invoice of manual lines to a customer you sell to (its number is taken now)',
          tags,
          body: CreateBody,
          response: { 201: InvoiceSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        // A customer outside the caller's tree reads as an invalid id, like any unknown one.
        if (!(await tenancy.canAccessUser(actor, body.customerId))) throw BillingErrors.customerInvalid('no such customer');
        const issuer = await invoicing.issuerOf(body.customerId);
        if (actor.role !== 'super_admin' && issuer !== actor.userId) throw BillingErrors.notIssuer();
        const id = await invoicing.issueManual({
          customerId: body.customerId,
          currency: body.currency,
          lines: body.lines.map((l) => ({ description: l.description, quantity: l.quantity ?? 1, unitAmount: l.unitAmount })),
          date: dateOf(clock.now()),
        });
        return reply.code(201).send(invoiceView(await invoices.get(actor, id)));
      },
    );

    app.get(
      '/:id',
      {
        config: { permission: 'billing.invoice.read' },
        schema: {
          summary: 'One invoice with its lines, taxes and payments',
          tags,
          params: IdParams,
          response: { 200: InvoiceDetailSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const row = await invoices.get(actor, request.params.id);
        return { ...(await invoices.detail(row)), allowed: invoiceActions(row, actor, await gateways(row.issuer)) };
      },
    );

    app.get(
      '/:id/download',
      {
        config: { permission: 'billing.invoice.read' },
        schema: {
          summary: 'The invoice as a PDF: rendered once when issued, the same bytes on every download',
          tags,
          params: IdParams,
          response: {
            200: Type.String({ format: 'binary', description: 'application/pdf' }),
            ...errorResponses(400, 401, 403, 404, 409, 503),
          },
        },
      },
      async (request, reply) => {
        const row = await invoices.get(actorOf(request), request.params.id);
        const pdf = await documents.pdfOf(row);
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${row.number}.pdf"`)
          .send(pdf as unknown as string); // bytes: the schema documents them as a binary string
      },
    );

    app.post(
      '/:id/pay',
      {
        config: { permission: 'billing.invoice.pay' },
        schema: {
          summary: 'Pay the balance of your invoice with a payment method (idempotent per balance)',
          tags,
          params: IdParams,
          body: PayBody,
          response: { 200: PayResponse, ...errors },
        },
      },
      async (request) => {
        const result = await paying.pay(actorOf(request), request.params.id, request.body, {
          ip: request.ip,
          requestId: request.id,
        });
        return { invoice: invoiceView(result.invoice), payment: result.payment };
      },
    );

    app.post(
      '/:id/mark-paid',
      {
        config: { permission: 'billing.invoice.manage' },
        schema: {
          summary: 'Record a bank transfer (or other payment outside Hostplane) with its reference; issuer or admin',
          tags,
          params: IdParams,
          body: MarkPaidBody,
          response: { 200: InvoiceSchema, ...errors },
        },
      },
      async (request) => {
        const { reference, amount } = request.body;
        const row = await invoices.recordPayment(
          actorOf(request),
          request.params.id,
          { gateway: 'manual', reference, ...(amount !== undefined ? { amount } : {}) },
          sourceOf(request),
        );
        return invoiceView(row);
      },
    );

    app.post(
      '/:id/void',
      {
        config: { permission: 'billing.invoice.manage' },
        preValidation: emptyBodyAsObject,
        schema: {
          summary: 'Void an issued invoice nothing was paid on (its number stays used); issuer or admin',
          tags,
          params: IdParams,
          body: VoidBody,
          response: { 200: InvoiceSchema, ...errors },
        },
      },
      async (request) =>
        invoiceView(await invoices.void(actorOf(request), request.params.id, request.body.reason, sourceOf(request))),
    );
  };
}
