/**
 * `createHost`: the HTTP gateway in front of the kernel. One http.Server for the life of the
 * host; behind it, a Fastify app per generation of plugin routes (see generations.ts).
 */
import type { Server } from 'node:http';
import type { KernelApi } from '@hostplane/core';
import type { Logger } from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type GatewayContext } from './build-app.js';
import { FrontServer, type ListenOptions } from './front-server.js';
import { Generations } from './generations.js';
import { createHostLogger, type HostLoggerOption } from './logger.js';
import { createHostMetrics } from './metrics-registry.js';
import { loadPanel, type PanelBuild, type PanelOption } from './panel.js';
import { createRateLimitCounters, type RateLimitStoreKind } from './rate-limit-counters.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './rate-limit.js';
import { computeSecurityHeaders } from './security-headers.js';
import type { HostApp } from './types.js';

/** Options of {@link createHost}. */
export interface HostOptions {
  kernel: KernelApi;
  /** pino options, or a stream to write JSON log lines to (tests capture them). */
  logger?: HostLoggerOption;
  /** Origins allowed to call the API from a browser, with credentials. Default: none. */
  corsOrigins?: string[];
  /** Default per-IP / per-user limit; routes override it with `config.rateLimit`. Default 300/min. */
  rateLimit?: RateLimitSettings;
  /**
   * Where rate-limit counters live: `memory` (each process counts alone; the default) or
   * `postgres` (every host on the database spends one budget: use it behind a balancer), or
   * `redis` (every host on the same Redis, given by `redisUrl`).
   */
  rateLimitStore?: RateLimitStoreKind;
  /** Redis URL for the `redis` store (`redis://[:password@]host:port[/db]`). */
  redisUrl?: string;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * The reverse proxies whose `X-Forwarded-*` headers are believed: addresses, CIDR ranges or
   * `loopback`/`linklocal`/`uniquelocal` (Fastify's `trustProxy`). `true` trusts every client,
   * which lets anyone pick their IP: for tests only. Default: none.
   */
  trustProxy?: boolean | string[];
  /** How long `close()` waits for in-flight requests before dropping connections. Default 10 s. */
  shutdownGraceMs?: number;
  /** Serve the panel under `/` (true: the @hostplane/panel build). Default false: API only. */
  panel?: PanelOption;
  /** From {@link preloadHost}, started before the kernel opened. */
  preloaded?: HostPreload;
}

/** The part of building a host that needs no kernel (see {@link preloadHost}). */
export interface HostPreload {
  securityHeaders: Promise<Record<string, string>>;
  panel: Promise<PanelBuild | null>;
}

/**
 * Start what {@link createHost} needs that does not depend on the kernel: the security headers
 * and importing the panel's server build (the largest module graph the host loads). Called
 * before the kernel opens, that CPU work overlaps the kernel's waits on PostgreSQL.
 */
export function preloadHost(options: Pick<HostOptions, 'panel' | 'logger'>): HostPreload {
  return startPreload(options.panel, createHostLogger(options.logger));
}

function startPreload(panel: PanelOption | undefined, logger: Logger): HostPreload {
  const preload = { securityHeaders: computeSecurityHeaders(), panel: loadPanel(panel, logger) };
  // Awaited by createHost; until then a failure must not count as unhandled.
  preload.securityHeaders.catch(() => undefined);
  preload.panel.catch(() => undefined);
  return preload;
}

/** A running gateway. */
export interface Host {
  /** The one http.Server; it forwards to the current generation. */
  readonly server: Server;
  /** The current generation's Fastify app (replaced when the plugin set changes). */
  app(): HostApp;
  /** `inject()` on the current generation. */
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** Listen; resolves with the base URL. */
  listen(options: ListenOptions): Promise<string>;
  /** Stop accepting, let in-flight requests finish, close the apps. Idempotent. */
  close(): Promise<void>;
}

/**
 * Build the first generation and return the host (not yet listening). Rejects when the first
 * app cannot be built for a reason no single plugin is to blame for.
 *
 * @example
 * ```ts
 * const host = await createHost({ kernel, corsOrigins: ['https://panel.example.com'] });
 * const url = await host.listen({ host: '0.0.0.0', port: 3000 });
 * ```
 */
export async function createHost(options: HostOptions): Promise<Host> {
  const { kernel } = options;
  const logger = createHostLogger(options.logger);
  const preloaded = options.preloaded ?? startPreload(options.panel, logger);
  const securityHeaders = await preloaded.securityHeaders;
  const metrics = createHostMetrics(kernel, logger);
  const panel = await preloaded.panel;
  const counters = await createRateLimitCounters(options.rateLimitStore ?? 'memory', kernel.knex, logger, options.redisUrl);
  const ctx: GatewayContext = {
    kernel,
    logger,
    metrics,
    securityHeaders,
    panel,
    counters,
    settings: {
      corsOrigins: options.corsOrigins ?? [],
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      trustProxy: Array.isArray(options.trustProxy) && options.trustProxy.length === 0 ? false : (options.trustProxy ?? false),
    },
  };

  // Subscribed before the first build so a change made while it runs is not lost.
  let generations: Generations | undefined;
  let changedDuringStart = false;
  const unsubscribe = kernel.onChange(() => {
    if (generations) return generations.rebuild();
    changedDuringStart = true;
  });

  try {
    generations = await Generations.start(() => buildApp(ctx), logger);
  } catch (err) {
    unsubscribe();
    counters.close();
    metrics.stop();
    metrics.registry.clear();
    throw err;
  }
  const current = generations;
  if (changedDuringStart) void current.rebuild();

  const front = new FrontServer((req, res) => current.dispatch(req, res), logger);
  let closing: Promise<void> | null = null;

  return {
    server: front.server,
    app: () => current.current.app,
    inject: (injectOptions) => current.inject(injectOptions),
    listen: (listenOptions) => front.listen(listenOptions),
    close: () => {
      closing ??= (async () => {
        unsubscribe();
        await front.close(options.shutdownGraceMs ?? 10_000);
        await current.stop();
        counters.close();
        metrics.stop();
        metrics.registry.clear();
        logger.info('host closed');
      })();
      return closing;
    },
  };
}
