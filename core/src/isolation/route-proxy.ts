/**
 * An isolated plugin's routes in the gateway: registered with the plugin's own schemas and
 * config, so the host still authenticates, authorises, rate-limits, validates and audits; the
 * handler forwards the request over the plugin's Unix socket and streams the answer back. An
 * error the plugin raised is re-raised here, so it leaves through the host's error handler
 * with the same shape and request id as any other.
 */
import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import { HostplaneError, type RouteApp } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeSymbols } from './child/codec.js';
import type { RouteDescriptor } from './child/protocol.js';
import { ACTOR_HEADER, ERROR_HEADER } from './child/routes.js';
import { IsolationErrors } from './errors.js';

/** What the proxy needs from the session. */
export interface RouteTarget {
  pluginId: string;
  /** The socket while the child is up, else undefined. */
  socket(): string | undefined;
  agent: Agent;
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

async function readError(res: IncomingMessage, pluginId: string): Promise<Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ERROR_BODY) break;
    chunks.push(chunk);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    const e = parsed.error ?? {};
    // The plugin's own codes keep their status; an internal error stays generic (its stack is in the plugin's log).
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]+$/.test(e.code) && e.code !== 'HOST_ERR_INTERNAL') {
      return new HostplaneError(e.code, String(e.message ?? ''), res.statusCode ?? 500, e.details);
    }
  } catch {
    // fall through: an unreadable error is an internal one
  }
  return new Error(`plugin "${pluginId}" answered ${String(res.statusCode)} without a readable error`);
}

function forward(target: RouteTarget, request: Req, reply: FastifyReply): Promise<unknown> {
  const socketPath = target.socket();
  if (!socketPath) return Promise.reject(IsolationErrors.unavailable(target.pluginId, target.downReason()));
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !DROP_REQUEST.has(name)) headers[name] = value as string | string[];
  }
  headers['x-request-id'] = request.id;
  const actor = actorHeader(request.actor);
  if (actor) headers[ACTOR_HEADER] = actor;
  const { data, type } = bodyOf(request.body, request.headers['content-type']);
  if (type) headers['content-type'] = type;
  if (data) headers['content-length'] = String(data.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ socketPath, agent: target.agent, method: request.method, path: request.url, headers });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(
        IsolationErrors.timeout(
          target.pluginId,
          `${request.method} ${request.routeOptions.url ?? request.url}`,
          target.timeoutMs,
        ),
      );
    }, target.timeoutMs);
    outgoing.on('error', () => {
      clearTimeout(timer);
      reject(IsolationErrors.unavailable(target.pluginId, target.downReason()));
    });
    outgoing.on('response', (res) => {
      clearTimeout(timer);
      if (res.headers[ERROR_HEADER]) {
        readError(res, target.pluginId).then(reject, reject);
        return;
      }
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined && !DROP_RESPONSE.has(name) && !name.startsWith('access-control-'))
          void reply.header(name, value);
      }
      void reply.code(res.statusCode ?? 502);
      // Small answers of known length are sent as one buffer (cheaper than piping a stream
      // through the reply); anything else streams as it comes.
      const length = Number(res.headers['content-length']);
      if (Number.isInteger(length) && length <= SMALL_BODY) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(reply.send(Buffer.concat(chunks))));
        res.on('error', () => reject(IsolationErrors.unavailable(target.pluginId, target.downReason())));
        return;
      }
      resolve(reply.send(res));
    });
    outgoing.end(data);
  });
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
