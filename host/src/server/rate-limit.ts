/**
 * Rate limits (@fastify/rate-limit). One budget per signed-in user, else per IP; so the limiter
 * runs in preHandler, after auth has set `request.actor`. Routes override the defaults with
 * `config.rateLimit` (`false` to opt out). Headers follow the IETF draft (`RateLimit-Limit`,
 * `-Remaining`, `-Reset`) plus `Retry-After` on 429.
 *
 * Counters live in memory per generation: they restart when the plugin set changes, and each
 * host process counts alone (a shared store is for the many-machines plan).
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimited } from './errors.js';
import type { HostApp } from './types.js';

/** A limit: `max` requests per `timeWindow` (ms, or a string such as `'1 minute'`). */
export interface RateLimitSettings {
  max: number;
  timeWindow: string | number;
}

/** The default when `createHost` is given none. */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 300, timeWindow: '1 minute' };

/** Whose budget a request spends. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.actor ? `user:${request.actor.userId}` : `ip:${normalizeIP(request.ip)}`;
}

/** Register the limiter for every route (global), with the host's error shape on 429. */
export const rateLimitPlugin = fp<RateLimitSettings>(
  async (app: HostApp, settings) => {
    await app.register(rateLimit, {
      global: true,
      max: settings.max,
      timeWindow: settings.timeWindow,
      hook: 'preHandler',
      keyGenerator: rateLimitKey,
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) =>
        RateLimited(context.after, { limit: context.max, retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
    });
  },
  { name: 'hostplane-rate-limit', fastify: '5.x' },
);
