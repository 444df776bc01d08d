/** /2fa: TOTP setup and management for the signed-in user (a session, not an API token). */
import { Type, type RouteApp } from '@hostplane/sdk';
import type { AuthDeps } from '../services/context.js';
import { disableTwoFactor, enableTwoFactor, regenerateRecoveryCodes, setupTwoFactor } from '../services/two-factor-flows.js';
import { ErrorSchema, PasswordField, requestInfo, sessionActorOf } from './shared.js';

const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'Six digits from the authenticator app' });
const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown once: each works one time instead of a code' }),
});

export function twoFactorRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/2fa',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Whether two-factor authentication is on, and recovery codes left',
          tags: ['auth'],
          response: {
            200: Type.Object({ enabled: Type.Boolean(), pending: Type.Boolean(), recoveryCodesLeft: Type.Integer() }),
            401: ErrorSchema,
          },
        },
      },
      async (request) => deps.twoFactor.status(sessionActorOf(request).userId),
    );

    app.post(
      '/2fa/setup',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Start TOTP setup: a new secret as otpauth URI and QR code (shown once)',
          description: 'The secret stays pending until POST /v1/auth/2fa/enable confirms it with a code.',
          tags: ['auth'],
          response: {
            200: Type.Object({ secret: Type.String(), otpauthUri: Type.String(), qrCodeSvg: Type.String() }),
            401: ErrorSchema,
            403: ErrorSchema,
            409: ErrorSchema,
          },
        },
      },
      async (request) => setupTwoFactor(deps, sessionActorOf(request).userId),
    );

    app.post(
      '/2fa/enable',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Turn TOTP on with a first code; answers 10 recovery codes (shown once)',
          tags: ['auth'],
          body: Type.Object({ code: Code }, { additionalProperties: false }),
          response: {
            200: RecoveryCodes,
            400: ErrorSchema,
            401: ErrorSchema,
            403: ErrorSchema,
            409: ErrorSchema,
            429: ErrorSchema,
          },
        },
      },
      async (request) => ({
        recoveryCodes: await enableTwoFactor(deps, sessionActorOf(request).userId, request.body.code, requestInfo(request)),
      }),
    );

    app.post(
      '/2fa/disable',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Turn TOTP off: password plus a current code (or a recovery code)',
          tags: ['auth'],
          body: Type.Object(
            { password: PasswordField, code: Type.Optional(Code), recoveryCode: Type.Optional(Type.String({ maxLength: 40 })) },
            { additionalProperties: false },
          ),
          response: {
            204: Type.Null(),
            400: ErrorSchema,
            401: ErrorSchema,
            403: ErrorSchema,
            409: ErrorSchema,
            429: ErrorSchema,
          },
        },
      },
      async (request, reply) => {
        await disableTwoFactor(deps, sessionActorOf(request).userId, request.body, requestInfo(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/2fa/recovery-codes',
      {
        config: { authenticated: true },
        schema: {
          summary: 'Replace the recovery codes (the old ones stop working); needs a current code',
          tags: ['auth'],
          body: Type.Object({ code: Code }, { additionalProperties: false }),
          response: { 200: RecoveryCodes, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (request) => ({
        recoveryCodes: await regenerateRecoveryCodes(
          deps,
          sessionActorOf(request).userId,
          request.body.code,
          requestInfo(request),
        ),
      }),
    );
  };
}
