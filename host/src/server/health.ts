/**
 * `GET /health`: the kernel's view (database reachable, plugin states). 200 when healthy, 503
 * when not, so a load balancer takes an unhealthy host out of rotation. Not rate limited and
 * not access-logged when healthy: probes come often and from few addresses.
 */
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { KernelApi } from '@hostplane/core';
import { Unhealthy } from './errors.js';
import { Nullable } from './nullable.js';
import { PluginHealthSchema } from './admin/schemas.js';
import type { HostApp } from './types.js';

/** Response schema of /health (also the 503 body). */
export const HealthSchema = Type.Object({
  ok: Type.Boolean(),
  database: Type.Object({
    ok: Type.Boolean(),
    latencyMs: Nullable(Type.Number()),
    error: Type.Optional(Type.String()),
  }),
  plugins: Type.Array(
    Type.Object({
      id: Type.String(),
      state: Type.String(),
      error: Nullable(Type.String()),
      health: Type.Union([PluginHealthSchema, Type.Null()]),
    }),
  ),
});

/** Options of {@link healthPlugin}. */
export interface HealthPluginOptions {
  kernel: KernelApi;
}

/** Register /health. */
export const healthPlugin = fp<HealthPluginOptions>(
  async (app: HostApp, { kernel }) => {
    app.get(
      '/health',
      {
        config: { public: true, rateLimit: false },
        // Probes call every few seconds from every balancer: log them only when they fail
        // (a 503 is logged at error level), not one info line each.
        logLevel: 'warn',
        schema: {
          tags: ['platform'],
          summary: 'Health of the host and its kernel',
          response: { 200: HealthSchema, 503: HealthSchema },
        },
      },
      async (request, reply) => {
        let health;
        try {
          health = await kernel.health();
        } catch (err) {
          request.log.error({ err }, 'health check failed');
          throw Unhealthy('the kernel could not report its health');
        }
        reply.code(health.ok ? 200 : 503);
        return health;
      },
    );
  },
  { name: 'hostplane-health', fastify: '5.x' },
);
