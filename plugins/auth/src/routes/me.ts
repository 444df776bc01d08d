/** GET /me: who the caller is, what they may do, and how they signed in. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { UserNotFound } from '../errors.js';
import { actorDetails } from '../services/authenticator.js';
import type { AuthDeps } from '../services/context.js';
import { actorOf, DateTime, ErrorSchema, NullableDateTime, UserSchema, userView } from './shared.js';

const MeSchema = Type.Object({
  user: UserSchema,
  permissions: Type.Array(Type.String()),
  via: Type.Union([Type.String(), Type.Null()]),
  twoFactorEnabled: Type.Boolean(),
  session: Type.Union([
    Type.Object({
      id: Type.String(),
      createdAt: DateTime,
      lastSeenAt: DateTime,
      expiresAt: DateTime,
      twoFactor: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  apiToken: Type.Union([
    Type.Object({ id: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()), expiresAt: NullableDateTime }),
    Type.Null(),
  ]),
  impersonation: Type.Union([Type.Object({ impersonatorId: Type.String({ format: 'uuid' }) }), Type.Null()]),
  /** Who really acts when this session is an impersonation: the panel shows a banner with a way back. */
  impersonator: Type.Union([
    Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String(), name: Type.String() }),
    Type.Null(),
  ]),
  /** For cookie sessions: the value unsafe requests must send in `x-csrf-token`. */
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});

export function meRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/me',
      {
        config: { authenticated: true },
        schema: {
          summary: 'The signed-in user, their permissions, session and impersonation',
          tags: ['auth'],
          response: { 200: MeSchema, 401: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        // Actors this plugin authenticated carry what the authenticator's one query read.
        const known = actorDetails(actor);
        const user = known?.user ?? (await deps.users.get(actor.userId));
        if (!user) throw UserNotFound(actor.userId);
        const twoFactorEnabled = known ? known.user.totpEnabled : await deps.twoFactor.isEnabled(user.id);
        const session = known?.session;
        const token = known?.apiToken;
        const impersonator = actor.impersonatorId ? await deps.users.get(actor.impersonatorId) : undefined;
        return {
          user: userView(user),
          permissions: [...actor.permissions].sort(),
          via: actor.via ?? null,
          twoFactorEnabled,
          session: session
            ? {
                id: session.id,
                createdAt: session.createdAt.toISOString(),
                lastSeenAt: session.lastSeenAt.toISOString(),
                expiresAt: session.expiresAt.toISOString(),
                twoFactor: session.twoFactor,
              }
            : null,
          apiToken: token
            ? { id: token.id, name: token.name, scopes: token.scopes, expiresAt: token.expiresAt?.toISOString() ?? null }
            : null,
          impersonation: actor.impersonatorId ? { impersonatorId: actor.impersonatorId } : null,
          impersonator: impersonator ? { id: impersonator.id, email: impersonator.email, name: impersonator.name } : null,
          csrfToken: actor.csrfToken ?? null,
        };
      },
    );
  };
}
