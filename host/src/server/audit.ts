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

/**
 * Every request made inside an impersonation is audited with both identities, whatever route it
 * hits and however it ends: the actor is the impersonated user, `details.impersonatorId` the
 * person really acting.
 */
function impersonationRecorder(kernel: KernelApi): OnResponse {
  return (request, reply, done) => {
    const actor = request.actor;
    if (actor?.impersonatorId) {
      kernel
        .recordAudit({
          action: 'auth.impersonation.request',
          actorId: actor.userId,
          target: { type: 'user', id: actor.userId },
          ip: request.ip,
          requestId: request.id,
          details: {
            impersonatorId: actor.impersonatorId,
            method: request.method,
            url: redactUrl(request.url),
            status: reply.statusCode,
          },
        })
        .catch((err: unknown) => request.log.error({ err }, 'impersonation audit entry could not be written'));
    }
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
