/**
 * `/v1/invoices` for draft invoices (services/drafts.ts): a seller writes one by hand, changes
 * its lines, then issues or discards it. Only its issuer or an administrator; a customer never
 * sees a draft.
 */
import { CommonErrors, errorResponses, Type, type Actor, type ClockService, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { Drafts } from '../services/drafts.js';
import { invoiceView } from '../services/invoices.js';
import { dateOf } from '../services/periods.js';
import { InvoiceSchema } from './invoices.js';
import { Currency, IdParams, OneLine, Uuid } from './schemas.js';

const tags = ['invoices'];
const errors = errorResponses(400, 401, 403, 404, 409);

export const DraftBody = Type.Object(
  {
    customerId: Type.String({ format: 'uuid', title: 'Customer' }),
    currency: Type.String({ ...Currency, title: 'Currency', default: 'EUR' }),
  },
  { additionalProperties: false },
);

export const DraftLineBody = Type.Object(
  {
    description: Type.String({ ...OneLine(500), title: 'Description' }),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000, default: 1, title: 'Quantity' }),
    unitAmount: Type.Integer({
      minimum: 0,
      maximum: 1_000_000_000,
      title: 'Unit price (cents)',
      description: 'Minor units; never negative (corrections are credit notes)',
    }),
  },
  { additionalProperties: false },
);

const LineParams = Type.Object({ id: Uuid, lineId: Uuid }, { additionalProperties: false });

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

const sourceOf = (request: FastifyRequest) => ({ actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id });

export function draftRoutes(deps: { drafts: Drafts; clock: ClockService }) {
  const { drafts, clock } = deps;
  const config = { permission: 'billing.invoice.manage' };
  return (app: RouteApp): void => {
    app.post(
      '/drafts',
      {
        config,
        schema: {
          summary: 'Start a draft invoice for a customer you sell to: add lines, then issue it (no number until then)',
          tags,
          body: DraftBody,
          response: { 201: InvoiceSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const id = await drafts.create(actor, request.body, sourceOf(request));
        return reply.code(201).send(invoiceView(await deps.drafts.view(actor, id)));
      },
    );
    app.post(
      '/:id/lines',
      {
        config,
        schema: {
          summary: 'Add a manual line to a draft invoice',
          tags,
          params: IdParams,
          body: DraftLineBody,
          response: { 201: InvoiceSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await drafts.addLine(actorOf(request), request.params.id, request.body, sourceOf(request));
        return reply.code(201).send(invoiceView(row));
      },
    );
    app.delete(
      '/:id/lines/:lineId',
      {
        config,
        schema: {
          summary: 'Remove a line from a draft invoice',
          tags,
          params: LineParams,
          response: { 200: InvoiceSchema, ...errors },
        },
      },
      async (request) =>
        invoiceView(await drafts.removeLine(actorOf(request), request.params.id, request.params.lineId, sourceOf(request))),
    );
    app.post(
      '/:id/issue',
      {
        config,
        schema: {
          summary: 'Issue a draft invoice: its number, tax and parties are taken now; it never changes after',
          tags,
          params: IdParams,
          response: { 200: InvoiceSchema, ...errors },
        },
      },
      async (request) =>
        invoiceView(await drafts.issue(actorOf(request), request.params.id, dateOf(clock.now()), sourceOf(request))),
    );
    app.delete(
      '/:id',
      {
        config,
        schema: {
          summary: 'Discard a draft invoice (it has no number: no gap is left)',
          tags,
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await drafts.discard(actorOf(request), request.params.id, sourceOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
