/**
 * Authentication: who is calling. Each authenticator the started plugins provide is asked in
 * turn and the first actor wins; nobody answering means anonymous (`request.actor === null`).
 * Whether anonymous may proceed is the route guard's decision, not this hook's.
 *
 * Failed authentications are charged to the caller's address (auth-failures.ts): past the
 * host's rate limit, a request carrying credentials from that address is answered 429 before
 * any authenticator looks them up.
 */
import { isHostplaneError, type Actor, type Authenticator } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthFailureBudget } from './auth-failures.js';
import { parseCookies } from './cookies.js';
import { RateLimited } from './errors.js';
import type { RateLimitCounters } from './rate-limit-counters.js';
import type { RateLimitSettings } from './rate-limit.js';
import type { HostApp } from './types.js';

/** Options of {@link authPlugin}. */
export interface AuthPluginOptions {
  /** The generation's authenticators (a snapshot: a change of plugins builds a new generation). */
  authenticators: Authenticator[];
  /** Failed authentications allowed per address and window: the host's rate limit. */
  failureLimit: RateLimitSettings;
  /** Where failures are counted: the host's counters, which outlive generations. */
  counters: RateLimitCounters;
}

/**
 * Whether the request brings credentials (an Authorization or Cookie header): only those are
 * charged and held back, so probes and anonymous pages from a busy address still pass.
 */
function carriesCredentials(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined || request.headers.cookie !== undefined;
}

/**
 * Authenticate a request that carries credentials within its address's failure budget: the
 * slot is taken first and given back unless the authenticators refused the credentials.
 */
async function authenticateWithin(
  budget: AuthFailureBudget,
  authenticators: Authenticator[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Actor | null> {
  const slot = await budget.take(request.ip);
  if (!slot.taken) {
    reply.header('retry-after', slot.retryAfterSeconds);
    throw RateLimited(`${slot.retryAfterSeconds} seconds`, { limit: budget.max, retryAfterSeconds: slot.retryAfterSeconds });
  }
  try {
    const actor = await authenticate(authenticators, request);
    budget.giveBack(slot);
    return actor;
  } catch (err) {
    // Refused credentials (a 4xx) stay counted; an authenticator that broke is not the caller's doing.
    if (!isHostplaneError(err) || err.statusCode >= 500) budget.giveBack(slot);
    throw err;
  }
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
  async (app: HostApp, { authenticators, failureLimit, counters }) => {
    app.decorateRequest('actor', null);
    // No authenticators, no hook: every request is anonymous and pays nothing for it.
    if (authenticators.length === 0) return;
    const budget = new AuthFailureBudget(failureLimit, counters);
    app.addHook('onRequest', (request, reply, done) => {
      const resolved = carriesCredentials(request)
        ? authenticateWithin(budget, authenticators, request, reply)
        : authenticate(authenticators, request);
      resolved.then(
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
