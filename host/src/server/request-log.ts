/**
 * One log line per request, written when the response is done. Fastify's own request logging
 * (two lines, and the raw URL) is turned off in favour of this.
 */
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { redactUrl } from './redact.js';
import type { HostApp } from './types.js';

/** Log method, censored URL, route, status and duration of each request. */
export const requestLogPlugin = fp(
  async (app: HostApp) => {
    app.addHook('onResponse', (request, reply, done) => {
      const statusCode = reply.statusCode;
      const level = statusCode >= 500 ? 'error' : 'info';
      // Routes that log only above `info` (the probes) skip building a line nobody writes. The
      // request logger is a child of the host's pino logger (see logger.ts).
      if (!(request.log as Logger).isLevelEnabled(level)) return done();
      request.log[level](
        {
          method: request.method,
          url: redactUrl(request.url),
          route: request.routeOptions.url ?? null,
          statusCode,
          durationMs: Math.round(reply.elapsedTime * 100) / 100,
          userId: request.actor?.userId ?? null,
        },
        'request completed',
      );
      done();
    });
  },
  { name: 'hostplane-request-log', fastify: '5.x' },
);
