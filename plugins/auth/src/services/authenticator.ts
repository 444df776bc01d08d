/**
 * The authenticator the host asks on every request. Three credentials, each checked against
 * the database so revocation and suspension take effect on the next request:
 * - `Authorization: Bearer <JWT>`: signature and lifetime, then the session named by `sid`
 *   (one primary-key query joined with the user's status);
 * - `Authorization: Bearer hp_…`: a personal API token, narrowed to what its owner still holds;
 * - the session cookie (the panel): the session token, hashed to its id. Unsafe requests made
 *   with it must echo `csrfToken` in `x-csrf-token` (the host checks).
 * A bad Bearer credential is an error (401); a stale cookie is just anonymous, so a signed-out
 * browser can still reach the login page.
 */
import type { Actor, Authenticator } from '@hostplane/sdk';
import { ApiTokenInvalid, SessionRevoked } from '../errors.js';
import { API_TOKEN_PREFIX, type ApiTokenInfo } from './api-tokens.js';
import type { AuthDeps } from './context.js';
import { AccessTokenVerifier, looksLikeJwt } from './jwt.js';
import { SessionStore, type SessionRecord, type SessionUser } from './sessions.js';

/** Names of the session cookie: `__Host-` needs Secure, so plain HTTP (development) uses the other. */
export const SESSION_COOKIE = { secure: '__Host-hp_session', plain: 'hp_session' } as const;

/** What the authenticator learnt about an actor, for handlers that show it (GET /me). */
export interface ActorDetails {
  user: SessionUser;
  session?: SessionRecord;
  apiToken?: ApiTokenInfo;
}

const details = new WeakMap<Actor, ActorDetails>();

/** Details of an actor this plugin authenticated (undefined for other authenticators' actors). */
export function actorDetails(actor: Actor | null): ActorDetails | undefined {
  return actor ? details.get(actor) : undefined;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const SESSION_TOKEN = /^[a-z2-7]{40}$/;

export function createAuthenticator(deps: AuthDeps): Authenticator {
  const verifier = new AccessTokenVerifier(() => deps.keys.get().jwt);
  const sessionActor = async (session: SessionRecord, via: 'bearer' | 'cookie'): Promise<Actor> => {
    const { user } = session;
    const actor: Actor = {
      userId: user.id,
      role: user.role,
      permissions: await deps.users.permissionsOf({ id: user.id, role: user.role }),
      sessionId: session.id,
      via,
    };
    if (session.impersonatorId) actor.impersonatorId = session.impersonatorId;
    if (via === 'cookie') actor.csrfToken = SessionStore.csrfTokenOf(deps.keys.get().csrf, session.id);
    details.set(actor, { user, session });
    return actor;
  };

  const fromJwt = async (token: string): Promise<Actor> => {
    const claims = verifier.verify(token, deps.now());
    const session = await deps.sessions.find(claims.sid);
    if (!session || session.userId !== claims.sub || session.user.status !== 'active') throw SessionRevoked();
    return sessionActor(session, 'bearer');
  };

  const fromApiToken = async (token: string): Promise<Actor> => {
    const found = await deps.apiTokens.find(token);
    if (!found || found.user.status !== 'active') throw ApiTokenInvalid();
    const { user, info } = found;
    const held = await deps.users.permissionsOf({ id: user.id, role: user.role });
    const actor: Actor = {
      userId: user.id,
      role: user.role,
      permissions: new Set(info.scopes.filter((s) => held.has(s))),
      via: 'api-token',
      tokenId: info.id,
    };
    details.set(actor, { user, apiToken: info });
    return actor;
  };

  const fromCookie = async (token: string): Promise<Actor | null> => {
    if (!SESSION_TOKEN.test(token)) return null;
    const session = await deps.sessions.find(SessionStore.idOf(token));
    if (!session || session.user.status !== 'active') return null;
    return sessionActor(session, 'cookie');
  };

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      const bearer = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      if (bearer !== undefined) {
        if (bearer.startsWith(API_TOKEN_PREFIX)) return fromApiToken(bearer);
        if (looksLikeJwt(bearer)) return fromJwt(bearer);
      }
      const cookie = request.cookies?.[SESSION_COOKIE.secure] ?? request.cookies?.[SESSION_COOKIE.plain];
      return cookie ? fromCookie(cookie) : null;
    },
  };
}
