/**
 * `POST /v1/deployments/hooks/:hookId`: push webhooks from GitHub, GitLab and Gitea. Public (no
 * session): the Git host signs with the site's secret and services/webhooks.ts checks it on the
 * raw body, so the body is kept as bytes here. Unsigned or wrongly signed: 401, nothing queued.
 */
import { errorResponses, Type, type RouteApp } from '@hostplane/sdk';
import type { DeployService } from './services/deploy-service.js';

const tags = ['deployments'];
/** Push payloads of big pushes reach a few hundred kilobytes; GitHub caps them at 25 MB but sends far less for a push. */
const BODY_LIMIT = 1024 * 1024;

const Received = Type.Object({
  deployed: Type.Boolean({ description: 'A deployment was queued' }),
  duplicate: Type.Boolean({ description: 'This delivery id was received before: nothing new was queued' }),
  deploymentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why nothing was queued' }),
});

export function hookRoutes({ service }: { service: DeployService }) {
  return async (app: RouteApp): Promise<void> => {
    // Only in this scope: every other route keeps parsing JSON.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    app.post(
      '/hooks/:hookId',
      {
        // Git hosts retry on anything but 2xx; a per-IP limit still stops a flood.
        config: { public: true, rateLimit: { max: 600, timeWindow: '1 minute' } },
        schema: {
          summary: 'A push webhook from GitHub, GitLab or Gitea (verified with the site’s secret on the raw body)',
          tags,
          params: Type.Object({ hookId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
          response: { 202: Received, 200: Received, ...errorResponses(400, 401, 404, 413, 415) },
        },
      },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await service.receiveHook(request.params.hookId, request.headers, body, {
          actorId: null,
          ip: request.ip,
          requestId: request.id,
        });
        return reply.code(result.deployed ? 202 : 200).send(result);
      },
    );
  };
}
