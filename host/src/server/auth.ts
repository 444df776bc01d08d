/**
 * Authentication: who is calling. Each authenticator the started plugins provide is asked in
 * turn and the first actor wins; nobody answering means anonymous (`request.actor === null`).
 * Whether anonymous may proceed is the route guard's decision, not this hook's.
 */
import type { Actor, Authenticator } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { parseCookies } from './cookies.js';
import type { HostApp } from './types.js';

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  /** The generation's authenticators (a snapshot: a change of plugins builds a new generation). */
  authenticators: Authenticator[];
}

async function authenticate(authenticators: Authenticator[], request: FastifyRequest): Promise<Actor | null> {
  const withCookies = request as FastifyRequest & { cookies?: Record<string, string | undefined> };
  const input = {
    headers: request.headers,
    // @fastify/cookie (if the panel adds it) has parsed them already.
    cookies: withCookies.cookies ?? parseCookies(request.headers.cookie),
    ip: request.ip,
  };
  for (const authenticator of authenticators) {
    const actor = await authenticator.authenticate(input);
    if (actor) return actor;
  }
  return null;
}

/**
 * Decorate `request.actor` (null by default) and resolve it in onRequest. An authenticator that
 * throws a HostplaneError (an expired token, say) answers with that error; any other throw is
 * a 500: failing closed beats treating a broken authenticator as "anonymous".
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: HostApp, { authenticators }) => {
    app.decorateRequest('actor', null);
    // No authenticators, no hook: every request is anonymous and pays nothing for it.
    if (authenticators.length === 0) return;
    app.addHook('onRequest', (request, _reply, done) => {
      authenticate(authenticators, request).then(
        (actor) => {
          request.actor = actor;
          done();
        },
        (err: unknown) => done(err as Error),
      );
    });
  },
  { name: 'hostplane-auth', fastify: '5.x' },
);
