/**
 * `POST /v1/billing/webhooks/:gateway[/:issuer]`: payment gateways' webhooks (Stripe:
 * `/v1/billing/webhooks/stripe` for the platform's account, `/v1/billing/webhooks/stripe/<reseller
 * id>` for a reseller's own). Public (the gateway signs, the gateway plugin verifies); the body is
 * kept raw, since the signature covers the exact bytes.
 */
import { errorResponses, Type, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { PLATFORM_ISSUER } from '../services/payment-accounts.js';
import type { Webhooks } from '../services/webhooks.js';

const tags = ['billing'];
/** Stripe's events are far below this; anything larger is not a webhook. */
const BODY_LIMIT = 512 * 1024;
const GatewayId = Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'The gateway’s id, e.g. `stripe`' });
const Received = Type.Object({
  received: Type.Literal(true),
  duplicate: Type.Boolean({ description: 'The event was stored before (a retry): nothing new is done' }),
});
const errors = errorResponses(400, 404, 413, 415);

export function webhookRoutes(deps: { webhooks: Webhooks }) {
  return async (app: RouteApp): Promise<void> => {
    // Only in this scope: every other route keeps parsing JSON.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

    const handler = async (request: FastifyRequest<{ Params: { gateway: string; issuer?: string } }>) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const { duplicate } = await deps.webhooks.receive({
        gateway: request.params.gateway,
        issuer: request.params.issuer ?? PLATFORM_ISSUER,
        rawBody,
        headers: request.headers,
      });
      return { received: true as const, duplicate };
    };
    // Gateways retry on anything but 2xx; a generous per-IP limit still stops a flood.
    const config = { public: true, rateLimit: { max: 3000, timeWindow: '1 minute' } };
    app.post(
      '/:gateway',
      {
        config,
        schema: {
          summary: "A payment gateway's webhook for the platform's own account (verified on the raw body)",
          tags,
          params: Type.Object({ gateway: GatewayId }, { additionalProperties: false }),
          response: { 200: Received, ...errors },
        },
      },
      handler,
    );
    app.post(
      '/:gateway/:issuer',
      {
        config,
        schema: {
          summary: "A payment gateway's webhook for a reseller's own account",
          tags,
          params: Type.Object(
            { gateway: GatewayId, issuer: Type.String({ format: 'uuid', description: 'The reseller’s user id' }) },
            { additionalProperties: false },
          ),
          response: { 200: Received, ...errors },
        },
      },
      handler,
    );
  };
}
