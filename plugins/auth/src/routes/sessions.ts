/** The caller's sessions (list, sign out one or the others) and an admin's revoke-all. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { SessionNotFound } from '../errors.js';
import { administeredUser, revokeEverything } from '../services/accounts.js';
import { emitQuietly, recordAudit, type AuthDeps } from '../services/context.js';
import { actorOf, DateTime, ErrorSchema, requestInfo } from './shared.js';

const SessionSchema = Type.Object({
  id: Type.String(),
  createdAt: DateTime,
  lastSeenAt: DateTime,
  expiresAt: DateTime,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  twoFactor: Type.Boolean(),
  impersonated: Type.Boolean(),
  current: Type.Boolean(),
});

const SessionId = Type.String({ pattern: '^[0-9a-f]{64}$' });

export function sessionRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/sessions',
      {
        config: { permission: 'auth.session.manage' },
        schema: {
          summary: 'My sessions, newest first; the one making this request is flagged current',
          tags: ['auth'],
          response: { 200: Type.Object({ items: Type.Array(SessionSchema) }), 401: ErrorSchema, 403: ErrorSchema },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const sessions = await deps.sessions.list(actor.userId);
        return {
          items: sessions.map((s) => ({
            id: s.id,
            createdAt: s.createdAt.toISOString(),
            lastSeenAt: s.lastSeenAt.toISOString(),
            expiresAt: s.expiresAt.toISOString(),
            ip: s.ip,
            userAgent: s.userAgent,
            twoFactor: s.twoFactor,
            impersonated: s.impersonatorId !== null,
            current: s.id === actor.sessionId,
          })),
        };
      },
    );

    app.delete(
      '/sessions/:id',
      {
        config: { permission: 'auth.session.manage' },
        schema: {
          summary: 'Sign out one of my sessions (another device, or this one)',
          tags: ['auth'],
          params: Type.Object({ id: SessionId }),
          response: { 204: Type.Null(), 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const info = requestInfo(request);
        // Scoped by owner in the DELETE itself: someone else's session is simply not found.
        if (!(await deps.sessions.revoke(actor.userId, request.params.id))) throw SessionNotFound();
        await recordAudit(deps, info, 'auth.sessions.revoked', {
          actorId: actor.userId,
          target: { type: 'session', id: request.params.id },
          details: { count: 1 },
        });
        await emitQuietly(
          deps,
          'sessions.revoked',
          { userId: actor.userId, count: 1, reason: 'revoked_by_owner' },
          info.requestId,
        );
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/sessions/revoke-others',
      {
        config: { permission: 'auth.session.manage' },
        schema: {
          summary: 'Sign out every session of mine except this one',
          tags: ['auth'],
          response: { 200: Type.Object({ revoked: Type.Integer() }), 401: ErrorSchema, 403: ErrorSchema },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const info = requestInfo(request);
        const revoked = await deps.sessions.revokeAll(actor.userId, actor.sessionId ? { except: actor.sessionId } : {});
        await recordAudit(deps, info, 'auth.sessions.revoked', {
          actorId: actor.userId,
          target: { type: 'user', id: actor.userId },
          details: { count: revoked, keptCurrent: actor.sessionId !== undefined },
        });
        if (revoked > 0) {
          await emitQuietly(
            deps,
            'sessions.revoked',
            { userId: actor.userId, count: revoked, reason: 'revoked_by_owner' },
            info.requestId,
          );
        }
        return { revoked };
      },
    );

    app.post(
      '/users/:userId/revoke-sessions',
      {
        config: { permission: 'auth.session.revoke-others' },
        schema: {
          summary: "End every session and API token of a user in my tree (an administrator's kill switch)",
          tags: ['auth'],
          params: Type.Object({ userId: Type.String({ format: 'uuid' }) }),
          response: {
            200: Type.Object({ sessions: Type.Integer(), apiTokens: Type.Integer() }),
            401: ErrorSchema,
            403: ErrorSchema,
            404: ErrorSchema,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const user = await administeredUser(deps, actor, request.params.userId);
        return revokeEverything(deps, user.id, { actorId: actor.userId, via: 'api' }, requestInfo(request));
      },
    );
  };
}
