/**
 * HTTP routes as a plugin declares them: Fastify 5 with the TypeBox type provider. Each route
 * states in its `config` who may call it; one host hook enforces that for every route.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** Platform roles, from the top of the tenancy tree down. */
export type Role = 'super_admin' | 'reseller' | 'customer' | 'technical_user';

/** Every role, in tree order. */
export const ROLES: readonly Role[] = ['super_admin', 'reseller', 'customer', 'technical_user'];

/** Who is calling: set by the host from a session cookie or a Bearer token. */
export interface Actor {
  /** User id. */
  userId: string;
  role: Role;
  /** Permissions this actor holds (role grants, narrowed by a token's scopes). */
  permissions: ReadonlySet<string>;
  /** Session id, when authenticated by a session. */
  sessionId?: string;
  /** The real user when an admin or reseller impersonates this one. */
  impersonatorId?: string;
  /**
   * How the request proved who it is. `cookie` requests that change things must carry the
   * session's CSRF token in `x-csrf-token` (the host checks it).
   */
  via?: 'bearer' | 'cookie' | 'api-token' | 'test';
  /** For `via: 'cookie'`: the token unsafe requests must echo in `x-csrf-token`. */
  csrfToken?: string;
  /** API token id, when authenticated by a personal API token. */
  tokenId?: string;
}

/** Per-route rate limit, overriding the host defaults. */
export interface RouteRateLimit {
  /** Requests per window. */
  max: number;
  /** Window, e.g. `'1 minute'` or milliseconds. */
  timeWindow: string | number;
}

/** Options a route states in `config`. */
export interface HostplaneRouteConfig {
  /**
   * RBAC permission the caller must hold (`<area>.<resource>.<action>`). A route must set this,
   * `authenticated: true`, or `public: true`; the host refuses to start a route that sets none.
   */
  permission?: string;
  /** Any signed-in user may call it. */
  authenticated?: boolean;
  /** Anyone may call it, signed in or not. */
  public?: boolean;
  /** Per-route rate limit (per IP, and per user when signed in). */
  rateLimit?: RouteRateLimit | false;
  /** Write an audit entry with this action for every successful call. */
  audit?: string;
}

declare module 'fastify' {
  // Declaration merging needs an interface; the members come from HostplaneRouteConfig.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends HostplaneRouteConfig {}
  interface FastifyRequest {
    /** The caller, or null when anonymous. Set by the host before any handler runs. */
    actor: Actor | null;
  }
}

/** The Fastify instance a plugin's route registrar receives (TypeBox-typed). */
export type RouteApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A function that registers routes on the plugin's scope (prefix `/v1/<id>` unless set). */
export type RouteRegistrar = (app: RouteApp) => void | Promise<void>;

/** Options of `ctx.routes`. */
export interface RouteOptions {
  /** Prefix under `/v1`, e.g. `/users`; default `/<plugin id>`. */
  prefix?: string;
}

/**
 * Turns a request into an actor. The auth plugin provides one through the `authenticator`
 * extension point; the host asks each in turn and takes the first non-null answer.
 */
export interface Authenticator {
  authenticate(request: {
    headers: Record<string, string | string[] | undefined>;
    cookies?: Record<string, string | undefined>;
    ip: string;
  }): Promise<Actor | null>;
}
