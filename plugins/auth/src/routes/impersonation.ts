/** POST /impersonate: an administrator or reseller acts as a user below them. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { impersonate } from '../services/accounts.js';
import type { AuthDeps } from '../services/context.js';
import { ErrorSchema, requestInfo, sessionActorOf, TokenSetSchema, tokenSetView } from './shared.js';

export function impersonationRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/impersonate',
      {
        config: { permission: 'auth.user.impersonate' },
        schema: {
          summary: 'Get tokens of a new session acting as a user in my tree',
          description:
            'The session records who really acts (GET /v1/auth/me shows it; the audit log names both). ' +
            'No cookie is set: the caller keeps its own session. End it with POST /v1/auth/logout using the new token.',
          tags: ['auth'],
          body: Type.Object({ userId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
          response: { 200: TokenSetSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request) =>
        tokenSetView(await impersonate(deps, sessionActorOf(request), request.body.userId, requestInfo(request))),
    );
  };
}
