/**
 * An isolated plugin's routes in the gateway: registered with the plugin's own schemas and
 * config, so the host still authenticates, authorises, rate-limits, validates and audits; the
 * handler forwards the request over the plugin's Unix socket and streams the answer back. An
 * error the plugin raised is re-raised here, so it leaves through the host's error handler
 * with the same shape and request id as any other.
 */
import { HostplaneError, type RouteApp } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { decodeSymbols } from './child/codec.js';
import type { RouteDescriptor } from './child/protocol.js';
import { ACTOR_HEADER, ERROR_HEADER } from './child/routes.js';
import { IsolationErrors } from './errors.js';
import type { SocketPools } from './socket-pools.js';

/** What the proxy needs from the session. */
export interface RouteTarget {
  pluginId: string;
  /** The socket while the child is up, else undefined. */
  socket(): string | undefined;
  /** Keep-alive connections to the plugin's sockets. */
  pools: SocketPools;
  timeoutMs: number;
  /** Why the plugin is unavailable (shown in the 503). */
  downReason(): string;
}

// Hop-by-hop headers and credentials stay at the gateway: a plugin never sees the caller's
// session cookie or token, only the actor the gateway derived from them.
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'authorization',
  'cookie',
  'x-csrf-token',
  'upgrade',
  'proxy-authorization',
  ACTOR_HEADER,
]);
// What the host decides for every answer stays the host's: an untrusted plugin may not set
// cookies on the host's origin (a session cookie among them), widen CORS, or relax the
// security headers and the request id the gateway set.
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  ERROR_HEADER,
  'set-cookie',
  'x-request-id',
  'strict-transport-security',
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
]);
const MAX_ERROR_BODY = 64 * 1024;
const SMALL_BODY = 64 * 1024;

type Req = FastifyRequest & { actor: unknown };

function actorHeader(actor: unknown): string {
  if (!actor || typeof actor !== 'object') return '';
  const a = actor as Record<string, unknown> & { permissions?: Iterable<string> };
  return JSON.stringify({ ...a, permissions: [...(a.permissions ?? [])], csrfToken: undefined });
}

function bodyOf(body: unknown, contentType: string | undefined): { data: Buffer | undefined; type: string | undefined } {
  if (body === undefined || body === null) return { data: undefined, type: undefined };
  if (Buffer.isBuffer(body)) return { data: body, type: contentType };
  if (typeof body === 'string') return { data: Buffer.from(body), type: contentType };
  return { data: Buffer.from(JSON.stringify(body)), type: 'application/json' };
}

async function readError(body: Dispatcher.ResponseData['body'], status: number, pluginId: string): Promise<Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ERROR_BODY) break;
    chunks.push(chunk);
  }
  body.destroy();
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const e = parsed.error ?? {};
    // The plugin's own codes keep their status; an internal error stays generic (its stack is in the plugin's log).
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]+$/.test(e.code) && e.code !== 'HOST_ERR_INTERNAL') {
      return new HostplaneError(e.code, String(e.message ?? ''), status, e.details);
    }
  } catch {
    // fall through: an unreadable error is an internal one
  }
  return new Error(`plugin "${pluginId}" answered ${String(status)} without a readable error`);
}

async function readSmall(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  return Buffer.from(await body.arrayBuffer());
}

async function forward(target: RouteTarget, request: Req, reply: FastifyReply): Promise<unknown> {
  const socketPath = target.socket();
  if (!socketPath) throw IsolationErrors.unavailable(target.pluginId, target.downReason());
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !DROP_REQUEST.has(name)) headers[name] = value as string | string[];
  }
  headers['x-request-id'] = request.id;
  const actor = actorHeader(request.actor);
  if (actor) headers[ACTOR_HEADER] = actor;
  // The client sets content-length from the body.
  const { data, type } = bodyOf(request.body, request.headers['content-type']);
  if (type) headers['content-type'] = type;
  const pool = await target.pools.get(socketPath);
  let res: Dispatcher.ResponseData;
  try {
    // The route timeout bounds the wait for the answer's head; its body may take longer.
    res = await pool.request({
      path: request.url,
      method: request.method,
      headers,
      body: data ?? null,
      headersTimeout: target.timeoutMs,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'UND_ERR_HEADERS_TIMEOUT') {
      throw IsolationErrors.timeout(
        target.pluginId,
        `${request.method} ${request.routeOptions.url ?? request.url}`,
        target.timeoutMs,
      );
    }
    throw IsolationErrors.unavailable(target.pluginId, target.downReason());
  }
  if (res.headers[ERROR_HEADER]) throw await readError(res.body, res.statusCode, target.pluginId);
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined && !DROP_RESPONSE.has(name) && !name.startsWith('access-control-')) void reply.header(name, value);
  }
  void reply.code(res.statusCode);
  // Small answers of known length are sent as one buffer (cheaper than piping a stream
  // through the reply); anything else streams as it comes.
  const length = Number(res.headers['content-length']);
  if (Number.isInteger(length) && length <= SMALL_BODY) {
    let buffer: Buffer;
    try {
      buffer = await readSmall(res.body);
    } catch {
      throw IsolationErrors.unavailable(target.pluginId, target.downReason());
    }
    return reply.send(buffer);
  }
  return reply.send(res.body);
}

/** A registrar putting `routes` (full URLs under `/v1<prefix>`) on the gateway, each forwarding to `target`. */
export function proxyRegistrar(prefix: string, routes: RouteDescriptor[], target: RouteTarget): (app: RouteApp) => void {
  const base = `/v1${prefix}`;
  return (app) => {
    for (const route of routes) {
      const relative = route.url.slice(base.length);
      const config = decodeSymbols<Record<string, unknown>>(route.config);
      // Fastify puts these into a route's config itself; they are not the plugin's to set here.
      delete config.url;
      delete config.method;
      app.route({
        method: route.method as never,
        url: relative === '' ? '/' : relative,
        ...(relative === ''
          ? { prefixTrailingSlash: 'no-slash' as const }
          : relative === '/'
            ? { prefixTrailingSlash: 'slash' as const }
            : {}),
        schema: decodeSymbols(route.schema) as never,
        config: config as never,
        exposeHeadRoute: false,
        handler: (request, reply) => forward(target, request as unknown as Req, reply as unknown as FastifyReply),
      });
    }
  };
}
