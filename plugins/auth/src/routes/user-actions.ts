/**
 * The auth plugin's actions on a user, served beside the accounts plugin's under /v1/users:
 * impersonate, force-password-reset, login-history. They live here because they are made of
 * sessions, credentials and sign-in records, which are this plugin's; the target is reached by
 * the one tenancy rule (a user outside the caller's tree is "not found").
 */
import { Type, type RouteApp } from '@hostplane/sdk';
import { administeredUser } from '../services/accounts.js';
import type { AuthDeps } from '../services/context.js';
import { forcePasswordReset } from '../services/user-admin.js';
import { IMPERSONATE_DESCRIPTION, ImpersonationSchema, startImpersonation } from './impersonation.js';
import { LoginHistoryPage, LoginHistoryQuery, loginHistoryPage } from './login-history.js';
import { actorOf, ErrorSchema, requestInfo } from './shared.js';

const Params = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const tags = ['users'];

export function userActionRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/:id/impersonate',
      {
        config: { permission: 'auth.user.impersonate' },
        schema: {
          summary: 'Act as a user below me: admins anyone but admins, resellers their own customers',
          description: IMPERSONATE_DESCRIPTION,
          tags,
          params: Params,
          response: { 200: ImpersonationSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request, reply) => startImpersonation(deps, request, reply, request.params.id),
    );

    app.post(
      '/:id/force-password-reset',
      {
        config: { permission: 'auth.user.force-password-reset' },
        schema: {
          summary: 'Sign the user out everywhere and require a new password',
          description:
            'Ends every session and API token of the user and mails a reset link (72 h). Until a new password is ' +
            'set, login answers 403 AUTH_ERR_PASSWORD_RESET_REQUIRED even with the right password.',
          tags,
          params: Params,
          response: {
            200: Type.Object({ sessionsRevoked: Type.Integer(), apiTokensRevoked: Type.Integer(), mailSent: Type.Boolean() }),
            401: ErrorSchema,
            403: ErrorSchema,
            404: ErrorSchema,
            409: ErrorSchema,
          },
        },
      },
      async (request) => forcePasswordReset(deps, actorOf(request), request.params.id, requestInfo(request)),
    );

    app.get(
      '/:id/login-history',
      {
        config: { permission: 'auth.user.login-history' },
        schema: {
          summary: "A user's sign-in attempts, newest first (admins: anyone; resellers: their tree)",
          tags,
          params: Params,
          querystring: LoginHistoryQuery,
          response: { 200: LoginHistoryPage, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request) => {
        const user = await administeredUser(deps, actorOf(request), request.params.id);
        return loginHistoryPage(deps, user.id, request.query);
      },
    );
  };
}
