/**
 * Plugin routes: each started plugin's registrar runs in its own encapsulated scope under
 * `/v1<prefix>`. Whatever goes wrong inside (the registrar throws, a nested register fails, a
 * route has no access rule, a path is taken) is recorded against that plugin instead of
 * failing the app, so the generation can be built again without it.
 */
import type { PermissionInfo, PluginRoutes } from '@hostplane/core';
import type { HostplaneRouteConfig } from '@hostplane/sdk';
import { InvalidRoutePrefix, RoutePermissionNotOwn } from './errors.js';
import { accessRuleOf } from './route-guard.js';
import type { HostApp } from './types.js';

// Plain path segments only: no params, wildcards or `..` in the part the kernel hands us.
const PREFIX = /^(\/[A-Za-z0-9][A-Za-z0-9._~-]*)+$/;

/** Full URL prefix of a plugin's routes. */
export function pluginUrlPrefix(entry: PluginRoutes): string {
  return `/v1${entry.prefix}`;
}

/**
 * Register every entry, collecting failures by plugin id into `failures`. Routes of a failed
 * plugin may already be in the router; the caller must discard this app and build anew.
 */
export function registerPluginRoutes(
  app: HostApp,
  entries: PluginRoutes[],
  failures: Map<string, unknown>,
  permissions: PermissionInfo[] = [],
): void {
  const ownerOf = new Map(permissions.map((p) => [p.name, p.owner]));
  for (const entry of entries) {
    if (!PREFIX.test(entry.prefix)) {
      failures.set(entry.pluginId, InvalidRoutePrefix(entry.pluginId, entry.prefix));
      continue;
    }
    app.register(
      async (scope) => {
        // A route may be guarded only by a permission its plugin (or the platform) defines.
        scope.addHook('onRoute', (route) => {
          const rule = accessRuleOf(route.config as HostplaneRouteConfig | undefined);
          if (rule?.kind !== 'permission') return;
          const owner = ownerOf.get(rule.permission);
          if (owner !== entry.pluginId && owner !== 'core') {
            throw RoutePermissionNotOwn(entry.pluginId, String(route.method), route.url, rule.permission);
          }
        });
        try {
          await entry.registrar(scope);
        } catch (err) {
          failures.set(entry.pluginId, err);
          return;
        }
        // Errors of plugins the registrar registered load after it returns; a one-argument
        // `after` receives them and, by not passing them on, keeps them from failing the app.
        scope.after((err) => {
          if (err) failures.set(entry.pluginId, err);
        });
      },
      { prefix: pluginUrlPrefix(entry) },
    );
  }
}

// Fastify names the route in schema build errors raised at ready(): "… for POST: /v1/x/y, due to …".
const ROUTE_IN_MESSAGE = / for [A-Z,]+: (\/\S*?), due to /;

/**
 * The plugin whose route a ready() error names (schemas are compiled only then, after every
 * registrar returned), by longest matching prefix; undefined when the error names none.
 */
export function pluginOfBuildError(err: unknown, entries: PluginRoutes[]): string | undefined {
  const message = err instanceof Error ? err.message : '';
  const url = ROUTE_IN_MESSAGE.exec(message)?.[1];
  if (!url) return undefined;
  let best: PluginRoutes | undefined;
  for (const entry of entries) {
    const prefix = pluginUrlPrefix(entry);
    if ((url === prefix || url.startsWith(`${prefix}/`)) && prefix.length > (best ? pluginUrlPrefix(best).length : 0)) {
      best = entry;
    }
  }
  return best?.pluginId;
}
