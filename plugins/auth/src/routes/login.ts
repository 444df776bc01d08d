/** /login, /login/2fa, /refresh, /logout: the session's life. */
import { Type, type RouteApp } from '@hostplane/sdk';
import type { AuthDeps } from '../services/context.js';
import { logout, passwordStep, refresh, secondFactorStep } from '../services/login.js';
import {
  clearImpersonationCookie,
  clearSessionCookie,
  EmailField,
  ErrorSchema,
  PasswordField,
  publicRateLimit,
  requestInfo,
  sessionActorOf,
  setDeviceCookie,
  setSessionCookie,
  TokenField,
  TokenSetSchema,
  tokenSetView,
} from './shared.js';

const ChallengeSchema = Type.Object({
  twoFactorRequired: Type.Literal(true),
  challengeToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Seconds the challenge lives' }),
});

export function loginRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/login',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Sign in with email and password',
          description:
            'Answers tokens and sets the session cookie, or, with 2FA on, a challenge for POST /v1/auth/login/2fa. ' +
            'Attempts are throttled per account and source (a device cookie from an earlier sign-in, else the address), ' +
            'per IP, and per account across unknown sources with exponential backoff (429 with Retry-After). ' +
            'A successful sign-in sets the device cookie.',
          tags: ['auth'],
          body: Type.Object({ email: EmailField, password: PasswordField }, { additionalProperties: false }),
          response: { 200: Type.Union([TokenSetSchema, ChallengeSchema]), 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        const result = await passwordStep(deps, request.body, requestInfo(request));
        if (result.kind === 'challenge') {
          return { twoFactorRequired: true as const, challengeToken: result.challengeToken, expiresIn: result.expiresIn };
        }
        setSessionCookie(reply, deps.config, result.signedIn.session.token, result.signedIn.session.expiresAt);
        setDeviceCookie(reply, deps.config, result.deviceToken);
        return tokenSetView(result.signedIn);
      },
    );

    app.post(
      '/login/2fa',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Second step of a 2FA sign-in: a TOTP code or a recovery code',
          tags: ['auth'],
          body: Type.Object(
            {
              challengeToken: TokenField,
              code: Type.Optional(Type.String({ maxLength: 10 })),
              recoveryCode: Type.Optional(Type.String({ maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: TokenSetSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        const { signedIn, deviceToken } = await secondFactorStep(deps, request.body, requestInfo(request));
        setSessionCookie(reply, deps.config, signedIn.session.token, signedIn.session.expiresAt);
        setDeviceCookie(reply, deps.config, deviceToken);
        return tokenSetView(signedIn);
      },
    );

    app.post(
      '/refresh',
      {
        config: { public: true, rateLimit: publicRateLimit(deps.config) },
        schema: {
          summary: 'Exchange a refresh token for new tokens (rotation)',
          description: 'A refresh token works once. Presenting a used one revokes its whole session (AUTH_ERR_REFRESH_REUSED).',
          tags: ['auth'],
          body: Type.Object({ refreshToken: TokenField }, { additionalProperties: false }),
          response: { 200: TokenSetSchema, 401: ErrorSchema },
        },
      },
      async (request) => tokenSetView(await refresh(deps, request.body.refreshToken, requestInfo(request))),
    );

    app.post(
      '/logout',
      {
        config: { authenticated: true },
        schema: {
          summary: 'End the current session; its access tokens stop working at once',
          description:
            'Inside an impersonation this ends only the impersonated session (the panel stays signed in as the impersonator).',
          tags: ['auth'],
          response: { 204: Type.Null(), 401: ErrorSchema, 403: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = sessionActorOf(request);
        await logout(deps, actor, requestInfo(request));
        if (actor.impersonatorId) clearImpersonationCookie(reply, deps.config);
        else clearSessionCookie(reply, deps.config);
        return reply.code(204).send(null);
      },
    );
  };
}
