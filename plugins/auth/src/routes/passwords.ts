/** /forgot-password, /reset-password, /change-password. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { changePassword, forgotPassword, resetPassword } from '../services/accounts.js';
import type { AuthDeps } from '../services/context.js';
import {
  clearSessionCookie,
  EmailField,
  ErrorSchema,
  MessageSchema,
  PasswordField,
  publicRateLimit,
  requestInfo,
  sessionActorOf,
  TokenField,
} from './shared.js';

export function passwordRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/forgot-password',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Mail a password reset link (valid 30 minutes, single use)',
          description: 'Answers 202 whether or not the address has an account. Throttled per address and IP.',
          tags: ['auth'],
          body: Type.Object({ email: EmailField }, { additionalProperties: false }),
          response: { 202: MessageSchema, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        await forgotPassword(deps, request.body.email, requestInfo(request));
        return reply.code(202).send({ message: 'If the address has an account, a reset link is on its way.' });
      },
    );

    app.post(
      '/reset-password',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Choose a new password with the token from the reset mail; signs out every session',
          tags: ['auth'],
          body: Type.Object({ token: TokenField, password: PasswordField }, { additionalProperties: false }),
          response: { 200: Type.Object({ reset: Type.Literal(true) }), 400: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        await resetPassword(deps, request.body, requestInfo(request));
        clearSessionCookie(reply, deps.config);
        return { reset: true as const };
      },
    );

    app.post(
      '/change-password',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Change my password; my other sessions end',
          tags: ['auth'],
          body: Type.Object({ currentPassword: PasswordField, newPassword: PasswordField }, { additionalProperties: false }),
          response: {
            200: Type.Object({ sessionsRevoked: Type.Integer() }),
            400: ErrorSchema,
            403: ErrorSchema,
            429: ErrorSchema,
          },
        },
      },
      async (request) => changePassword(deps, sessionActorOf(request), request.body, requestInfo(request)),
    );
  };
}
