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
 *
 * Impersonating in the panel: a second cookie carries the impersonated session's token while
 * the administrator's own session cookie stays as it was. It counts only together with a live
 * session cookie of the impersonator, so signing out (or losing) the real session ends the
 * impersonation too, and dropping the second cookie is the way back.
 */
import type { Actor, Authenticator } from '@hostplane/sdk';
import { ApiTokenInvalid, SessionRevoked } from '../errors.js';
import { API_TOKEN_PREFIX, type ApiTokenInfo } from './api-tokens.js';
import type { AuthDeps } from './context.js';
import { AccessTokenVerifier, looksLikeJwt } from './jwt.js';
import { SessionStore, type SessionRecord, type SessionUser } from './sessions.js';

/** Names of the session cookie: `__Host-` needs Secure, so plain HTTP (development) uses the other. */
export const SESSION_COOKIE = { secure: '__Host-hp_session', plain: 'hp_session' } as const;
/** The impersonated session's token, beside (not instead of) the impersonator's session cookie. */
export const IMPERSONATION_COOKIE = { secure: '__Host-hp_impersonation', plain: 'hp_impersonation' } as const;

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

  const liveSession = async (token: string | undefined): Promise<SessionRecord | undefined> => {
    if (!token || !SESSION_TOKEN.test(token)) return undefined;
    const session = await deps.sessions.find(SessionStore.idOf(token));
    return session && session.user.status === 'active' ? session : undefined;
  };

  const fromCookies = async (sessionToken: string, impersonationToken: string | undefined): Promise<Actor | null> => {
    const own = await liveSession(sessionToken);
    if (!own) return null;
    const acting = impersonationToken ? await liveSession(impersonationToken) : undefined;
    // Only an impersonation this very user started; anything else is ignored, not an error.
    if (acting && acting.impersonatorId === own.userId) return sessionActor(acting, 'cookie');
    return sessionActor(own, 'cookie');
  };

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      const bearer = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      if (bearer !== undefined) {
        if (bearer.startsWith(API_TOKEN_PREFIX)) return fromApiToken(bearer);
        if (looksLikeJwt(bearer)) return fromJwt(bearer);
      }
      const cookies = request.cookies;
      const cookie = cookies?.[SESSION_COOKIE.secure] ?? cookies?.[SESSION_COOKIE.plain];
      if (!cookie) return null;
      return fromCookies(cookie, cookies?.[IMPERSONATION_COOKIE.secure] ?? cookies?.[IMPERSONATION_COOKIE.plain]);
    },
  };
}
