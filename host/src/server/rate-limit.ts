/**
 * Rate limits (@fastify/rate-limit). One budget per signed-in user, else per IP; so the limiter
 * runs in preHandler, after auth has set `request.actor`. Routes override the defaults with
 * `config.rateLimit` (`false` to opt out). Headers follow the IETF draft (`RateLimit-Limit`,
 * `-Remaining`, `-Reset`) plus `Retry-After` on 429.
 *
 * In memory (the default), counters live per generation: they restart when the plugin set
 * changes, and each host process counts alone. With the `postgres` store they live in the
 * database (rate-limit-counters.ts), outlive generations and are shared by every host on it.
 */
import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimited } from './errors.js';
import type { RateLimitCounters } from './rate-limit-counters.js';
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

type StoreCallback = (err: Error | null, result?: { current: number; ttl: number }) => void;
type StoreClass = NonNullable<RateLimitOptions['store']>;

/**
 * @fastify/rate-limit's store contract over shared counters. A route with its own limit gets a
 * child whose keys carry the route, as the library's Redis store does, so budgets stay apart.
 */
function sharedStore(counters: RateLimitCounters): StoreClass {
  class SharedStore {
    private readonly prefix: string;
    // The library constructs the root with its global params; children get their key prefix.
    constructor(prefix: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : 'rl:';
    }
    incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void {
      counters.hit(this.prefix + key, timeWindow, max).then(
        (window) => callback(null, { current: window.count, ttl: window.ttlMs }),
        (err: Error) => callback(err),
      );
    }
    child(routeOptions: { routeInfo: { method: string; url: string } }): SharedStore {
      return new SharedStore(`rl:${routeOptions.routeInfo.method}${routeOptions.routeInfo.url}-`);
    }
  }
  return SharedStore as unknown as StoreClass;
}

/** Options of {@link rateLimitPlugin}: the limit and the host's counters. */
export interface RateLimitPluginOptions extends RateLimitSettings {
  counters: RateLimitCounters;
}

/** Register the limiter for every route (global), with the host's error shape on 429. */
export const rateLimitPlugin = fp<RateLimitPluginOptions>(
  async (app: HostApp, settings) => {
    await app.register(rateLimit, {
      // In memory the library's own LRU store is the fastest there is; only shared counters need ours.
      ...(settings.counters.kind === 'memory' ? {} : { store: sharedStore(settings.counters) }),
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
