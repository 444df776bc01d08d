/** Unknown routes: 404 HOST_ERR_NOT_FOUND in the error shape, rate limited like any route. */
import fp from 'fastify-plugin';
import { sendError } from './error-body.js';
import { RouteNotFound } from './errors.js';
import type { HostApp } from './types.js';

/** Install the not-found handler. Register after the rate limiter (it uses `app.rateLimit`). */
export const notFoundPlugin = fp(
  async (app: HostApp) => {
    // Rate limited too, so probing for routes costs the same budget as calling them.
    app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '/';
      sendError(reply, RouteNotFound(request.method, path));
    });
  },
  { name: 'hostplane-not-found', fastify: '5.x', dependencies: ['hostplane-rate-limit'] },
);
