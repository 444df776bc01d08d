/**
 * Real plugins for the gateway tests, made with `definePlugin` and run by the real kernel:
 * route plugins (`ctx.routes`, permissions through `rbac`) and a token authenticator (`provides:
 * ['authenticator']`, `ctx.extend`) whose actors hold their role's permissions from the kernel's
 * RBAC, narrowed by a token's scopes.
 */
import {
  coreServices,
  definePlugin,
  extensionPoints,
  HostplaneError,
  type Actor,
  type RbacPermissionDefinition,
  type Role,
  type RouteRegistrar,
} from '@hostplane/sdk';

/** Options of {@link routesPlugin}. */
export interface RoutesPluginOptions {
  /** Prefix under `/v1`; default `/<id>`. */
  prefix?: string;
  /** RBAC permissions the plugin defines. */
  rbac?: Record<string, RbacPermissionDefinition>;
}

/** A plugin whose only part is `registrar`, registered with `ctx.routes`. */
export function routesPlugin(id: string, registrar: RouteRegistrar, options: RoutesPluginOptions = {}) {
  return definePlugin({
    id,
    sdk: '^0.1.0',
    permissions: ['http:routes'],
    ...(options.rbac ? { rbac: options.rbac } : {}),
    setup(ctx) {
      ctx.routes(registrar, options.prefix ? { prefix: options.prefix } : {});
    },
  });
}

/** Who a token signs in as. */
export interface Grant {
  userId: string;
  role: Role;
  /** Narrow the role's permissions to these (a scoped API token). */
  scopes?: string[];
  /**
   * A browser session: the token is the `sid` cookie (not a Bearer token), and state-changing
   * requests must echo `csrfToken` in `x-csrf-token`.
   */
  cookie?: { csrfToken?: string };
}

/** Token that makes the authenticator throw AUTH_ERR_TOKEN_EXPIRED (401). */
export const EXPIRED_TOKEN = 'expired';

/** Cookie carrying a session token for {@link tokenAuthPlugin}. */
export const SESSION_COOKIE = 'sid';

/**
 * Plugin `token-auth`: `Authorization: Bearer <token>` (grants without `cookie`) or the `sid`
 * cookie (grants with `cookie`) signs in as the grant's user. Unknown tokens are anonymous.
 */
export function tokenAuthPlugin(grants: Record<string, Grant>) {
  const byToken = new Map(Object.entries(grants));
  return definePlugin({
    id: 'token-auth',
    sdk: '^0.1.0',
    provides: ['authenticator'],
    permissions: ['users'],
    deps: { users: coreServices.users },
    setup(ctx) {
      const actorOf = async (grant: Grant, via: 'bearer' | 'cookie'): Promise<Actor> => {
        const held = await ctx.deps.users.permissionsOf({ id: grant.userId, role: grant.role });
        const permissions = grant.scopes ? new Set(grant.scopes.filter((p) => held.has(p))) : held;
        const actor: Actor = { userId: grant.userId, role: grant.role, permissions, via };
        if (via === 'cookie' && grant.cookie?.csrfToken) actor.csrfToken = grant.cookie.csrfToken;
        return actor;
      };
      ctx.extend(extensionPoints.authenticator, {
        async authenticate(request) {
          const header = request.headers.authorization;
          if (typeof header === 'string' && header.startsWith('Bearer ')) {
            const token = header.slice('Bearer '.length);
            if (token === EXPIRED_TOKEN) throw new HostplaneError('AUTH_ERR_TOKEN_EXPIRED', 'The token has expired', 401);
            const grant = byToken.get(token);
            return grant && !grant.cookie ? actorOf(grant, 'bearer') : null;
          }
          const session = request.cookies?.[SESSION_COOKIE];
          const grant = session === undefined ? undefined : byToken.get(session);
          return grant?.cookie ? actorOf(grant, 'cookie') : null;
        },
      });
    },
  });
}

/** User ids (audit entries need real uuids). */
export const USER = {
  admin: '00000000-0000-4000-8000-00000000000a',
  reader: '00000000-0000-4000-8000-000000000001',
  writer: '00000000-0000-4000-8000-000000000002',
  nobody: '00000000-0000-4000-8000-000000000003',
  viewer: '00000000-0000-4000-8000-000000000004',
  other: '00000000-0000-4000-8000-000000000005',
} as const;
