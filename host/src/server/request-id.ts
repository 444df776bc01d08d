/**
 * Request ids: a caller (or a proxy in front of us) may bring its own `x-request-id` so one id
 * follows a request across services; anything that does not look like an id is replaced, so a
 * header cannot smuggle text into our logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import type { HostApp } from './types.js';

/** Header carrying the request id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is acceptable, else a new UUID. Fastify's `genReqId`. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
}

/**
 * Echo the id on every response. Registered first among the onRequest hooks, so the header is
 * set before anything (auth, rate limit, a parser) can refuse the request.
 */
export const requestIdPlugin = fp(
  async (app: HostApp) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
  },
  { name: 'hostplane-request-id', fastify: '5.x' },
);
