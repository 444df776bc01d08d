/**
 * The plugin's routes inside its own process: a real Fastify app (so a registrar sees the API it
 * was written for, hooks and reply helpers included) listening on a Unix socket in the plugin's
 * data folder. The gateway has already authenticated, authorised, rate-limited and validated;
 * it forwards the request with the caller (`x-hostplane-actor`) and the request id, and streams
 * the answer back. Errors leave as the one error shape, marked so the gateway re-raises them
 * through its own error handler (request id, logs, metrics).
 */
import { chmod, rm } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { encodeSymbols } from './codec.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import type { RouteDescriptor } from './protocol.js';

/** Headers between gateway and child. */
export const ACTOR_HEADER = 'x-hostplane-actor';
export const ERROR_HEADER = 'x-hostplane-error';

type Registrar = (app: unknown) => void | Promise<void>;

/** A listening route app. */
export interface ChildRoutes {
  routes: Array<{ prefix: string; routes: RouteDescriptor[] }>;
  close(): Promise<void>;
}

function errorBody(error: unknown): { status: number; body: { error: Record<string, unknown> } } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  if (typeof e.code === 'string' && /^[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]+$/.test(e.code) && typeof e.statusCode === 'number') {
    const out: Record<string, unknown> = { code: e.code, message: String(e.message ?? '') };
    if (e.details !== undefined) out.details = e.details;
    return { status: e.statusCode, body: { error: out } };
  }
  if (Array.isArray(e.validation)) {
    return { status: 400, body: { error: { code: 'HOST_ERR_VALIDATION', message: String(e.message ?? 'invalid request') } } };
  }
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  return { status, body: { error: { code: status === 500 ? 'HOST_ERR_INTERNAL' : 'HOST_ERR_BAD_REQUEST', message: '' } } };
}

/** Build the app, register each registrar under `/v1<prefix>`, listen on `socket`. */
export async function listenRoutes(
  entries: Array<{ prefix: string; registrar: Registrar }>,
  socket: string,
  logger: unknown,
): Promise<ChildRoutes> {
  const { default: fastify } = await import('fastify');
  const app = fastify({
    loggerInstance: logger as FastifyBaseLogger,
    disableRequestLogging: true,
    exposeHeadRoutes: false,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    bodyLimit: 50 * 1024 * 1024,
    // The gateway has checked the schemas; each compiles (and its compiler loads) on first use.
    schemaController: { compilersFactory: lazySchemaCompilers() },
  });
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const raw = request.headers[ACTOR_HEADER];
    if (typeof raw === 'string' && raw !== '') {
      const actor = JSON.parse(raw) as Record<string, unknown> & { permissions?: string[] };
      (request as unknown as { actor: unknown }).actor = { ...actor, permissions: new Set(actor.permissions ?? []) };
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = errorBody(error);
    if (status >= 500) request.log.error({ err: error }, 'route failed');
    // Serialized here: the route's response schemas are for its answers, not for this envelope.
    void reply
      .code(status)
      .header(ERROR_HEADER, '1')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ error: { ...body.error, requestId: request.id } }));
  });
  const seen: Array<{ prefix: string; routes: RouteDescriptor[] }> = entries.map((e) => ({ prefix: e.prefix, routes: [] }));
  entries.forEach((entry, index) => {
    void app.register(
      async (scope) => {
        scope.addHook('onRoute', (route) => {
          seen[index]!.routes.push({
            method: route.method,
            url: route.url,
            schema: encodeSymbols(route.schema ?? {}),
            config: encodeSymbols(route.config ?? {}),
          });
        });
        await entry.registrar(scope);
      },
      { prefix: `/v1${entry.prefix}` },
    );
  });
  await rm(socket, { force: true });
  await app.listen({ path: socket });
  // Only the host (root) and the plugin's own user may connect.
  await chmod(socket, 0o600);
  return { routes: seen, close: () => app.close() };
}
