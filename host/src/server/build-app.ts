/**
 * Build one generation: a complete Fastify app for the plugins started right now. Fastify
 * cannot add or remove routes after ready(), so a change of plugins means a new app (see
 * generations.ts). The app never listens: `serverFactory` hands us its request handler and the
 * host's one http.Server forwards to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelApi, PluginRoutes } from '@hostplane/core';
import type { Authenticator } from '@hostplane/sdk';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { adminRoutes } from './admin/index.js';
import { auditPlugin } from './audit.js';
import { authPlugin } from './auth.js';
import { corsPlugin } from './cors.js';
import { hostErrorHandler, hostFrameworkErrors } from './error-handler.js';
import { healthPlugin } from './health.js';
import { lazySchemaCompilers } from './lazy-compilers.js';
import type { HostMetrics } from './metrics-registry.js';
import { metricsPlugin } from './metrics.js';
import { notFoundPlugin } from './not-found.js';
import { openApiPlugin } from './openapi.js';
import { panelPagesRoutes } from './panel-pages.js';
import { panelRoutes, type PanelBuild } from './panel.js';
import { pluginOfBuildError, registerPluginRoutes } from './plugin-routes.js';
import type { RateLimitCounters } from './rate-limit-counters.js';
import { rateLimitPlugin, type RateLimitSettings } from './rate-limit.js';
import { requestIdOf, requestIdPlugin } from './request-id.js';
import { requestLogPlugin } from './request-log.js';
import { routeGuardPlugin } from './route-guard.js';
import { securityHeadersPlugin } from './security-headers.js';
import { textGuardPlugin } from './text-guard.js';
import type { HostApp } from './types.js';

/** Settings fixed for the life of a host. */
export interface GatewaySettings {
  corsOrigins: string[];
  rateLimit: RateLimitSettings;
  bodyLimit: number;
  trustProxy: boolean | string[];
}

/** What every generation is built from; lives as long as the host. */
export interface GatewayContext {
  kernel: KernelApi;
  logger: Logger;
  metrics: HostMetrics;
  /** Security headers computed once (see security-headers.ts). */
  securityHeaders: Record<string, string>;
  settings: GatewaySettings;
  /** The panel build, mounted after the API; null serves the API alone. */
  panel?: PanelBuild | null;
  /** Rate-limit counters, in memory or shared by every host on the database. */
  counters: RateLimitCounters;
}

/** The request listener Fastify gave the server factory. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A built, ready app. */
export interface BuiltApp {
  app: HostApp;
  handler: RequestHandler;
}

function assemble(
  ctx: GatewayContext,
  entries: PluginRoutes[],
  authenticators: Authenticator[],
  failures: Map<string, unknown>,
): { app: HostApp; handler: () => RequestHandler } {
  let handler: RequestHandler | undefined;
  const app: HostApp = Fastify({
    // Typed as Fastify's base logger so the app matches the `RouteApp` plugins are written for.
    loggerInstance: ctx.logger as FastifyBaseLogger,
    // request-log.ts writes one censored line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    requestIdHeader: false,
    trustProxy: ctx.settings.trustProxy,
    bodyLimit: ctx.settings.bodyLimit,
    // Unknown fields must be refused, not silently stripped, when a schema forbids them.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    // Each route's schemas compile on its first request (see lazy-compilers.ts).
    schemaController: { compilersFactory: lazySchemaCompilers() },
    frameworkErrors: hostFrameworkErrors,
    serverFactory: (fastifyHandler) => {
      handler = fastifyHandler;
      // Never listens: Fastify wants a server object; the host's shared one does the I/O.
      return createServer();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(hostErrorHandler);
  // Order matters: onRequest hooks run in this order (id → security headers → CORS → auth),
  // and onRoute hooks too (swagger collects, then rate limit, then the guard adds its check).
  app.register(requestIdPlugin);
  app.register(requestLogPlugin);
  app.register(securityHeadersPlugin, { headers: ctx.securityHeaders });
  app.register(corsPlugin, { origins: ctx.settings.corsOrigins });
  app.register(authPlugin, { authenticators, failureLimit: ctx.settings.rateLimit, counters: ctx.counters });
  app.register(textGuardPlugin);
  app.register(openApiPlugin);
  app.register(rateLimitPlugin, { ...ctx.settings.rateLimit, counters: ctx.counters });
  app.register(routeGuardPlugin);
  app.register(auditPlugin, { kernel: ctx.kernel });
  app.register(notFoundPlugin);
  app.register(metricsPlugin, { metrics: ctx.metrics });
  app.register(healthPlugin, { kernel: ctx.kernel });
  app.register(adminRoutes, { prefix: '/v1', kernel: ctx.kernel });
  app.register(panelPagesRoutes, { prefix: '/v1', kernel: ctx.kernel });
  registerPluginRoutes(app, entries, failures, ctx.kernel.permissions());
  if (ctx.panel) app.register(panelRoutes, { panel: ctx.panel, inject: (options) => app.inject(options) });

  return {
    app,
    handler: () => {
      if (!handler) throw new Error('Fastify did not call serverFactory');
      return handler;
    },
  };
}

async function closeQuietly(app: HostApp, logger: Logger): Promise<void> {
  try {
    await app.close();
  } catch (err) {
    logger.warn({ err }, 'discarded app did not close cleanly');
  }
}

/**
 * Build and ready a generation. A plugin whose routes fail is reported to the kernel
 * (`reportFailure(id, 'routes', err)`) and the app is built again without it, because its
 * half-registered routes may already sit in the discarded app's router. Each round drops at
 * least one plugin, so this ends. Rejects only for a failure no plugin can be blamed for.
 */
export async function buildApp(ctx: GatewayContext): Promise<BuiltApp> {
  // One snapshot for all rounds: the routes and authenticators of the same set of plugins.
  let entries = ctx.kernel.routes();
  const authenticators = ctx.kernel.authenticators();
  for (;;) {
    const failures = new Map<string, unknown>();
    const { app, handler } = assemble(ctx, entries, authenticators, failures);
    try {
      await app.ready();
    } catch (err) {
      const pluginId = pluginOfBuildError(err, entries);
      if (pluginId === undefined) {
        await closeQuietly(app, ctx.logger);
        throw err;
      }
      failures.set(pluginId, err);
    }
    if (failures.size === 0) return { app, handler: handler() };

    await closeQuietly(app, ctx.logger);
    for (const [pluginId, err] of failures) {
      ctx.logger.error({ err, pluginId }, 'plugin routes refused; serving without this plugin');
      try {
        ctx.kernel.reportFailure(pluginId, 'routes', err);
      } catch (reportErr) {
        ctx.logger.error({ err: reportErr, pluginId }, 'kernel.reportFailure threw');
      }
    }
    entries = entries.filter((entry) => !failures.has(entry.pluginId));
  }
}
