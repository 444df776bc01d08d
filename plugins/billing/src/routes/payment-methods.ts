/**
 * `/v1/billing/payment-methods`: your saved payment methods (cards at Stripe), at your seller's
 * account: list them, add one on the gateway's hosted page, choose the default that automatic
 * payments charge, remove one. Only your own: another customer's method id is unknown (404).
 */
import { CommonErrors, errorResponses, Type, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { PaymentMethods } from '../services/payment-methods.js';

const tags = ['billing'];
const config = { permission: 'billing.payment-method.manage' };

const MethodParams = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'The gateway’s id of the method, e.g. pm_…' }) },
  { additionalProperties: false },
);

const PaymentMethodSchema = Type.Object({
  id: Type.String(),
  gateway: Type.String({ description: 'e.g. `stripe`' }),
  kind: Type.String({ description: '`card`, `sepa_debit` …' }),
  label: Type.String({ description: 'e.g. `Visa •••• 4242, 12/2030`' }),
  isDefault: Type.Boolean({ description: 'Charged by automatic payments (one per gateway)' }),
  canMakeDefault: Type.Boolean({ description: 'Its gateway can make it the default (and it is not)' }),
  canRemove: Type.Boolean({ description: 'Its gateway can remove it' }),
});

const PaymentMethodList = Type.Object({
  issuer: Type.String({ description: 'Whose account the methods pay into: `platform` or your seller’s id' }),
  items: Type.Array(PaymentMethodSchema),
  defaultLabel: Type.Union([Type.String(), Type.Null()], { description: 'The method automatic payments charge' }),
  canAdd: Type.Array(Type.String(), { description: 'Gateways a method can be added with now' }),
});

function userOf(request: FastifyRequest): string {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor.userId;
}

export function paymentMethodRoutes(deps: { methods: PaymentMethods }) {
  const { methods } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/',
      {
        config,
        schema: {
          summary: 'Your saved payment methods, the default first',
          tags,
          response: { 200: PaymentMethodList, ...errorResponses(400, 401, 403, 503) },
        },
      },
      async (request) => methods.list(userOf(request)),
    );

    app.post(
      '/',
      {
        config,
        preValidation: (request, _reply, done) => {
          if (request.body === undefined || request.body === null) request.body = {};
          done();
        },
        schema: {
          summary: 'Add a payment method: answers the gateway’s page (Stripe Checkout in setup mode) to send the customer to',
          tags,
          body: Type.Object(
            {
              gateway: Type.Optional(
                Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'One of `canAdd`; default `stripe`' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              gateway: Type.String(),
              sessionId: Type.String(),
              url: Type.String({ description: 'The hosted page; the customer comes back to the payment methods page' }),
            }),
            ...errorResponses(400, 401, 403, 503),
          },
        },
      },
      async (request, reply) => reply.code(201).send(await methods.add(userOf(request), request.body.gateway ?? 'stripe')),
    );

    app.post(
      '/:id/default',
      {
        config,
        schema: {
          summary: 'Make a saved method the one automatic payments charge',
          tags,
          params: MethodParams,
          response: { 200: PaymentMethodList, ...errorResponses(400, 401, 403, 404, 503) },
        },
      },
      async (request) => methods.setDefault(userOf(request), request.params.id, { ip: request.ip, requestId: request.id }),
    );

    app.delete(
      '/:id',
      {
        config,
        schema: {
          summary: 'Remove a saved method: it is never charged again',
          tags,
          params: MethodParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 503) },
        },
      },
      async (request, reply) => {
        await methods.remove(userOf(request), request.params.id, { ip: request.ip, requestId: request.id });
        return reply.code(204).send(null);
      },
    );
  };
}
