/**
 * The route guard: ONE onRoute hook reads every route's `config` and
 * - refuses, while the app is built, a route that states no access rule, so a route cannot
 *   ship open by forgetting its permission;
 * - adds a preHandler that enforces the rule on each request.
 * Register it after the rate limiter so its preHandler runs after the limiter's (DESIGN.md:
 * id → auth → rate limit → permission).
 */
import { CommonErrors, type HostplaneRouteConfig } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { timingSafeEqual } from 'node:crypto';
import { CsrfTokenInvalid, RouteWithoutAccessRule } from './errors.js';
import type { HostApp } from './types.js';

/** Who may call a route. */
export type AccessRule = { kind: 'public' } | { kind: 'authenticated' } | { kind: 'permission'; permission: string };

/**
 * The rule a route's config states, or null. When several are set the strictest wins
 * (permission, then authenticated, then public), so a contradictory config fails closed.
 */
export function accessRuleOf(config: HostplaneRouteConfig | undefined): AccessRule | null {
  if (!config) return null;
  if (typeof config.permission === 'string' && config.permission !== '') {
    return { kind: 'permission', permission: config.permission };
  }
  if (config.authenticated === true) return { kind: 'authenticated' };
  if (config.public === true) return { kind: 'public' };
  return null;
}

/**
 * Routes that may exist without a rule: the probes and the docs UI, whose routes a library
 * (@fastify/swagger-ui, @fastify/static) registers and we cannot annotate. Open by design.
 */
export function isExemptPath(url: string): boolean {
  return url === '/health' || url === '/metrics' || url === '/docs' || url.startsWith('/docs/');
}

type PreHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends cookies with cross-site form posts; a Bearer token it never sends by itself.
 * So a cookie-authenticated request that changes state must prove it came from our pages by
 * echoing the session's CSRF token (synchronizer token pattern).
 */
function csrfOk(request: FastifyRequest): boolean {
  const actor = request.actor;
  if (!actor || actor.via !== 'cookie' || SAFE_METHODS.has(request.method)) return true;
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !actor.csrfToken) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(actor.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

function enforce(rule: Exclude<AccessRule, { kind: 'public' }>): PreHandler {
  return (request, _reply, done) => {
    const actor = request.actor;
    if (!actor) return done(CommonErrors.unauthenticated());
    if (!csrfOk(request)) return done(CsrfTokenInvalid());
    if (rule.kind === 'permission' && !actor.permissions.has(rule.permission)) {
      return done(CommonErrors.forbidden());
    }
    done();
  };
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Install the guard's onRoute hook. */
export const routeGuardPlugin = fp(
  async (app: HostApp) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const rule = accessRuleOf(route.config as HostplaneRouteConfig | undefined);
      if (!rule) {
        if (isExemptPath(route.url)) return;
        throw RouteWithoutAccessRule(String(route.method), route.url);
      }
      if (rule.kind === 'public') return;
      // A new array, not a push: Fastify copies these options for the automatic HEAD route,
      // and a shared array would collect the guard twice.
      route.preHandler = [...asArray(route.preHandler), enforce(rule)] as RouteOptions['preHandler'];
    });
  },
  { name: 'hostplane-route-guard', fastify: '5.x' },
);
