/**
 * CORS for the configured origins only, with credentials (the panel on another origin sends the
 * session cookie). No origins configured: no CORS headers at all, browsers stay same-origin.
 */
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import type { HostApp } from './types.js';

/** Options of {@link corsPlugin}. */
export interface CorsPluginOptions {
  /** Exact origins, e.g. `https://panel.example.com`. */
  origins: string[];
}

/**
 * Register @fastify/cors. Register it before the route guard: its preflight route is the
 * library's, answered in its onRequest hook before auth, and has no access rule of its own.
 */
export const corsPlugin = fp<CorsPluginOptions>(
  async (app: HostApp, { origins }) => {
    if (origins.length === 0) return;
    const allowed = new Set(origins);
    await app.register(cors, {
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'x-csrf-token'],
      exposedHeaders: ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'],
      maxAge: 600,
    });
  },
  { name: 'hostplane-cors', fastify: '5.x' },
);
