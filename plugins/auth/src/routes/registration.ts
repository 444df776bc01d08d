/** /register, /verify-email, /verify-email/resend: public, answers that reveal no account. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { register, resendVerification, verifyEmail } from '../services/accounts.js';
import type { AuthDeps } from '../services/context.js';
import { EmailField, ErrorSchema, MessageSchema, PasswordField, publicRateLimit, requestInfo, TokenField } from './shared.js';

const SENT = 'If the address can receive it, a mail is on its way; follow its link to continue.';

export function registrationRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/options',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'What a sign-in page may offer (whether anyone may create an account)',
          tags: ['auth'],
          response: { 200: Type.Object({ registration: Type.Boolean() }) },
        },
      },
      async () => ({ registration: deps.config.registrationEnabled }),
    );

    app.post(
      '/register',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Create a customer account; a verification mail follows',
          description:
            'Answers 202 whether or not the address already has an account (the owner of an existing one is told by mail).',
          tags: ['auth'],
          body: Type.Object(
            { email: EmailField, password: PasswordField, name: Type.Optional(Type.String({ maxLength: 200 })) },
            { additionalProperties: false },
          ),
          response: { 202: MessageSchema, 400: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
        },
      },
      async (request, reply) => {
        await register(deps, request.body, requestInfo(request));
        return reply.code(202).send({ message: SENT });
      },
    );

    app.post(
      '/verify-email',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Confirm an email address with the token from its mail',
          tags: ['auth'],
          body: Type.Object({ token: TokenField }, { additionalProperties: false }),
          response: { 200: Type.Object({ verified: Type.Literal(true) }), 400: ErrorSchema },
        },
      },
      async (request) => {
        await verifyEmail(deps, request.body.token, requestInfo(request));
        return { verified: true as const };
      },
    );

    app.post(
      '/verify-email/resend',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Send a new verification mail',
          description: 'Answers 202 whether or not the address has an unconfirmed account. Throttled per address and IP.',
          tags: ['auth'],
          body: Type.Object({ email: EmailField }, { additionalProperties: false }),
          response: { 202: MessageSchema, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        await resendVerification(deps, request.body.email, requestInfo(request));
        return reply.code(202).send({ message: SENT });
      },
    );
  };
}
