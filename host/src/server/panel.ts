/**
 * The panel (@hostplane/panel, a React Router framework-mode app) served by the same Fastify
 * app as the API: built assets under `/assets/*`, every other path outside `/v1` and `/docs`
 * server-rendered. Loaders and actions reach the platform only through `inject()` of this
 * generation's app, i.e. the public `/v1` API with the browser's own credentials.
 *
 * The build is loaded once per host (see {@link loadPanel}); each generation mounts it again.
 * A host without a build serves the API alone and says how to build the panel.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pathToFileURL } from 'node:url';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import type { HostApp } from './types.js';

/**
 * Largest file-manager upload form: the files API takes a file of up to 48 MiB (64 MiB of
 * base64 in JSON), plus room for the form's other fields and multipart framing.
 */
export const PANEL_UPLOAD_BODY_LIMIT = 49 * 1024 * 1024;

/** What loaders and actions receive as `context` (panel/app/lib/context.ts is the other side). */
export interface PanelLoadContext {
  api(call: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }): Promise<{
    status: number;
    headers: Record<string, string | string[] | number | undefined>;
    body: string;
    /** The body's bytes (downloads); `body` is them read as UTF-8. */
    bytes: Uint8Array;
  }>;
  nonce: string;
}

/** A Fetch-API handler: React Router's `createRequestHandler(build, mode)`. */
export type PanelRequestHandler = (request: Request, context: PanelLoadContext) => Promise<Response>;

/**
 * The server build as the host uses it. The build bundles its own React and React Router
 * (the workspace root holds another React for tap) and re-exports React Router's
 * `createRequestHandler` from its entry, so one copy of React Router runs everything.
 */
interface ServerBuildModule {
  entry: { module: { createRequestHandler?: (build: unknown, mode: string) => PanelRequestHandler } };
}

/** A loaded panel build. */
export interface PanelBuild {
  handle: PanelRequestHandler;
  /** `build/client`: hashed assets under `assets/`, a few files at the top. */
  clientDirectory: string;
}

/** `createHost({ panel })`: true to serve the packaged build, or where a build lives. */
export type PanelOption = boolean | { buildDirectory: string };

/** The panel's CSP: the API's, plus this response's nonce for React Router's inline scripts. */
export function panelContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "script-src-attr 'none'",
    "style-src 'self'",
  ].join(';');
}

function defaultBuildDirectory(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('@hostplane/panel/package.json')), 'build');
  } catch {
    return null;
  }
}

/**
 * Load the panel build, or null (logged with the command that builds it) when there is none.
 * Loaded once: app generations reuse it.
 */
export async function loadPanel(option: PanelOption | undefined, logger: Logger): Promise<PanelBuild | null> {
  if (!option) return null;
  const buildDirectory = option === true ? defaultBuildDirectory() : option.buildDirectory;
  const serverEntry = buildDirectory ? path.join(buildDirectory, 'server', 'index.js') : null;
  if (!buildDirectory || !serverEntry || !existsSync(serverEntry)) {
    logger.warn(
      { buildDirectory },
      'the panel is not built, so only the API is served: run `npm run build` (or `npm run build -w @hostplane/panel`) and restart',
    );
    return null;
  }
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuildModule;
  const create = build.entry.module.createRequestHandler;
  if (typeof create !== 'function') {
    logger.error({ buildDirectory }, 'the panel build does not export createRequestHandler; rebuild it');
    return null;
  }
  return { handle: create(build, 'production'), clientDirectory: path.join(buildDirectory, 'client') };
}

/** The Fetch `Request` of a Fastify request (the body read by Fastify, within its bodyLimit). */
function toFetchRequest(request: FastifyRequest, reply: FastifyReply): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, signal: controller.signal };
  if (request.method !== 'GET' && request.method !== 'HEAD' && Buffer.isBuffer(request.body)) {
    init.body = new Uint8Array(request.body);
  }
  return new Request(`${request.protocol}://${request.host}${request.url}`, init);
}

/** Send a Fetch `Response` through Fastify (so its hooks, compression included, still apply). */
function sendFetchResponse(reply: FastifyReply, response: Response): FastifyReply {
  reply.status(response.status);
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    reply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  if (!response.body) return reply.send();
  return reply.send(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>));
}

/** Paths the panel never answers: the API and its docs keep their JSON 404s. */
function belongsToApi(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?') || url === '/docs' || url.startsWith('/docs/');
}

/** Options of {@link panelRoutes}. */
export interface PanelRoutesOptions {
  panel: PanelBuild;
  /** `inject()` of the generation's root app (the public API, in-process). */
  inject: (options: InjectOptions) => Promise<LightMyRequestResponse>;
}

/** Mount the panel; register after every API route. Encapsulated: compression is the panel's only. */
export async function panelRoutes(app: HostApp, { panel, inject }: PanelRoutesOptions): Promise<void> {
  await app.register(compress, { global: true, threshold: 1024 });
  await app.register(fastifyStatic, { root: panel.clientDirectory, serve: false });

  // Hashed file names: cache for a year. Not rate limited: a page needs several.
  app.get('/assets/*', { config: { public: true, rateLimit: false } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(path.posix.join('assets', file), { immutable: true, maxAge: '365d' });
  });
  // The few unhashed files at the top of the client build (favicon …).
  for (const entry of readdirSync(panel.clientDirectory, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    app.get(`/${entry.name}`, { config: { public: true, rateLimit: false } }, (_request, reply) =>
      reply.sendFile(entry.name, { maxAge: '1h' }),
    );
  }

  const contextOf = (request: FastifyRequest, reply: FastifyReply): PanelLoadContext => {
    const nonce = randomBytes(16).toString('base64');
    reply.header('content-security-policy', panelContentSecurityPolicy(nonce));
    return {
      nonce,
      api: async (call) => {
        const res = await inject({
          method: call.method as InjectOptions['method'],
          url: call.url,
          headers: { ...call.headers, 'user-agent': request.headers['user-agent'] ?? 'hostplane-panel' },
          ...(call.payload === undefined ? {} : { payload: call.payload as InjectOptions['payload'] }),
          // The API sees the browser's address: throttles and login history stay per person.
          remoteAddress: request.ip,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body, bytes: res.rawPayload };
      },
    };
  };

  await app.register(async (scope) => {
    // Any body as bytes, for React Router to parse (form posts); Fastify enforces the host's
    // bodyLimit while reading it (413 beyond).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (belongsToApi(request.url)) return reply.callNotFound();
      // The panel's pages call the rate-limited API; the page itself is not counted again.
      const response = await panel.handle(toFetchRequest(request, reply), contextOf(request, reply));
      return sendFetchResponse(reply, response);
    };
    // Not `all`: @fastify/cors owns `OPTIONS *` (preflight) whenever CORS origins are configured.
    scope.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/*',
      config: { public: true, rateLimit: false },
      handler,
    });
    // The file manager's upload form: a file as large as the files API takes, not the host's
    // bodyLimit meant for forms (the API still checks the package's upload limit).
    scope.route({
      method: 'POST',
      url: '/websites/:id/files',
      bodyLimit: PANEL_UPLOAD_BODY_LIMIT,
      config: { public: true, rateLimit: false },
      handler,
    });
  });
}
