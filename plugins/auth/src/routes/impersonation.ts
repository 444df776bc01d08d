/**
 * Impersonation under /v1/auth: start (the older form of POST /v1/users/:id/impersonate) and
 * stop. How a client goes back is described in README.md ("Impersonation").
 */
import { Type, type RouteApp } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthDeps } from '../services/context.js';
import { impersonate, stopImpersonation } from '../services/user-admin.js';
import {
  actorOf,
  clearImpersonationCookie,
  ErrorSchema,
  requestInfo,
  sessionActorOf,
  setImpersonationCookie,
  TokenSetSchema,
  tokenSetView,
  UserSchema,
  userView,
} from './shared.js';

export const ImpersonationSchema = Type.Composite([
  TokenSetSchema,
  Type.Object({ impersonator: Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), name: Type.String() }) }),
]);

export const IMPERSONATE_DESCRIPTION =
  'Starts a new session acting as the user; the caller keeps its own. The answer carries its tokens ' +
  '(Bearer clients use them, then go back to their own). A caller signed in by the panel cookie also ' +
  'gets a second cookie that makes the browser act as the user while its own session cookie stays; ' +
  'POST /v1/auth/impersonate/stop drops it. Every write made while impersonating is audited as ' +
  '`auth.impersonation.request` with both ids; reads once per session, as `auth.impersonation.viewed`.';

/** Start impersonating `userId` for the request's caller; sets the cookie for a cookie caller. */
export async function startImpersonation(deps: AuthDeps, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const actor = sessionActorOf(request);
  const signedIn = await impersonate(deps, actor, userId, requestInfo(request));
  if (actor.via === 'cookie') setImpersonationCookie(reply, deps.config, signedIn.session.token, signedIn.session.expiresAt);
  const impersonator = await deps.users.get(actor.userId);
  return {
    ...tokenSetView(signedIn),
    impersonator: { id: actor.userId, email: impersonator?.email ?? '', name: impersonator?.name ?? '' },
  };
}

export function impersonationRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/impersonate',
      {
        config: { permission: 'auth.user.impersonate' },
        schema: {
          summary: 'Act as a user in my tree (same as POST /v1/users/:id/impersonate)',
          description: IMPERSONATE_DESCRIPTION,
          tags: ['auth'],
          body: Type.Object({ userId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
          response: { 200: ImpersonationSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request, reply) => startImpersonation(deps, request, reply, request.body.userId),
    );

    app.post(
      '/impersonate/stop',
      {
        config: { authenticated: true },
        schema: {
          summary: 'End the impersonation this request is made in',
          description:
            'Ends the impersonated session. Nothing new is issued: a panel (cookie) goes back to the session ' +
            'cookie it kept, which this answer leaves in place; a Bearer client goes back to the tokens it held.',
          tags: ['auth'],
          response: {
            200: Type.Object({ stopped: Type.Literal(true), impersonator: UserSchema, user: Type.Object({ id: Type.String() }) }),
            401: ErrorSchema,
            409: ErrorSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const impersonator = await stopImpersonation(deps, actor, requestInfo(request));
        if (actor.via === 'cookie') clearImpersonationCookie(reply, deps.config);
        return { stopped: true as const, impersonator: userView(impersonator), user: { id: actor.userId } };
      },
    );
  };
}
