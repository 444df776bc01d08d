/**
 * Audit: a route with `config.audit` writes an audit entry for every successful (2xx) call.
 * Written after the response is sent: the action has already happened, so a failing audit
 * store must not turn the caller's success into an error. Failures go to the error log.
 */
import type { HostplaneRouteConfig } from '@hostplane/sdk';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { KernelApi } from '@hostplane/core';
import { redactUrl } from './redact.js';
import type { HostApp } from './types.js';

/** Options of {@link auditPlugin}. */
export interface AuditPluginOptions {
  kernel: KernelApi;
}

type OnResponse = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

function recorder(kernel: KernelApi, action: string): OnResponse {
  return (request, reply, done) => {
    const statusCode = reply.statusCode;
    if (statusCode >= 200 && statusCode < 300) {
      kernel
        .recordAudit({
          action,
          actorId: request.actor?.userId ?? null,
          ip: request.ip,
          requestId: request.id,
          details: { method: request.method, url: redactUrl(request.url), statusCode },
        })
        .catch((err: unknown) => request.log.error({ err, action }, 'audit entry could not be written'));
    }
    done();
  };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const VIEWED = 'auth.impersonation.viewed';
/** Sessions remembered per process before the memory starts over (the database check remains). */
const REMEMBERED = 10_000;

/**
 * What an impersonator does is audited with both identities: the actor is the impersonated user,
 * `details.impersonatorId` the person really acting. Each write (whatever route, however it ends)
 * is its own `auth.impersonation.request` entry; reads are one `auth.impersonation.viewed` entry
 * per impersonated session, at the first read, since a page view makes dozens of them and they
 * change nothing (auth records the start and the end of the impersonation beside these).
 */
function impersonationRecorder(kernel: KernelApi): OnResponse {
  const viewed = new Set<string>();

  async function firstReadOf(sessionKey: string, userId: string): Promise<boolean> {
    // This process's memory spares a query per read; the database covers restarts and other hosts.
    if (viewed.has(sessionKey)) return false;
    if (viewed.size >= REMEMBERED) viewed.clear();
    viewed.add(sessionKey);
    const seen = await kernel
      .knex('hostplane.audit_log')
      .where({ action: VIEWED, actor_id: userId })
      .whereRaw(`details->>'sessionKey' = ?`, [sessionKey])
      .first('id');
    return !seen;
  }

  async function record(request: FastifyRequest, statusCode: number): Promise<void> {
    const actor = request.actor;
    if (!actor?.impersonatorId) return;
    const read = READS.has(request.method);
    const sessionKey = actor.sessionId ?? actor.tokenId ?? `${actor.impersonatorId}:${actor.userId}`;
    if (read && !(await firstReadOf(sessionKey, actor.userId))) return;
    await kernel.recordAudit({
      action: read ? VIEWED : 'auth.impersonation.request',
      actorId: actor.userId,
      target: { type: 'user', id: actor.userId },
      ip: request.ip,
      requestId: request.id,
      details: {
        impersonatorId: actor.impersonatorId,
        ...(read ? { sessionKey, firstUrl: redactUrl(request.url) } : { method: request.method, url: redactUrl(request.url) }),
        status: statusCode,
      },
    });
  }

  return (request, reply, done) => {
    record(request, reply.statusCode).catch((err: unknown) =>
      request.log.error({ err }, 'impersonation audit entry could not be written'),
    );
    done();
  };
}

/** Install the onRoute hook adding the audit recorder to routes that ask for one. */
export const auditPlugin = fp<AuditPluginOptions>(
  async (app: HostApp, { kernel }) => {
    app.addHook('onResponse', impersonationRecorder(kernel));
    app.addHook('onRoute', (route: RouteOptions) => {
      const action = (route.config as HostplaneRouteConfig | undefined)?.audit;
      if (typeof action !== 'string' || action === '') return;
      const existing = route.onResponse;
      const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
      route.onResponse = [...list, recorder(kernel, action)] as RouteOptions['onResponse'];
    });
  },
  { name: 'hostplane-audit', fastify: '5.x' },
);
