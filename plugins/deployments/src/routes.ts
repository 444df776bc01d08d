/**
 * `/v1/websites/:id/deployments`: a website's Git connection and deployments.
 *
 * - `GET|PUT|DELETE /:id/deployments/connection`: the repository, branch, build command, web
 *   root and releases kept; PUT answers the webhook secret once, when it made it;
 * - `POST /:id/deployments/connection/webhook-secret`: a new secret (shown once);
 * - `GET /:id/deployments` (list), `POST /:id/deployments` (deploy now, 202);
 * - `GET /:id/deployments/:deploymentId` (with the log), `POST …/:deploymentId/rollback` (202);
 * - `GET /:id/deployments/:deploymentId/log`: the log as server-sent events while it runs.
 */
import { Readable } from 'node:stream';
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { DeploymentsConfig } from './config.js';
import type { DeployService, RequestInfo } from './services/deploy-service.js';
import { logFrames } from './services/log-stream.js';
import {
  connectionView,
  ConnectionSchema,
  deploymentView,
  DeploymentSchema,
  deploymentWithLogView,
  DeploymentWithLogSchema,
  type DeployStore,
} from './store.js';

const tags = ['deployments'];
const Uuid = Type.String({ format: 'uuid' });
const SiteParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const DeploymentParams = Type.Object({ id: Uuid, deploymentId: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409, 503);

const ConnectBody = Type.Object(
  {
    repositoryUrl: Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        '`https://host/owner/repo.git`, `ssh://git@host/owner/repo.git` or `git@host:owner/repo.git` (ssh uses the site’s deploy key)',
    }),
    branch: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'The branch deployed (and whose pushes the webhook deploys)',
    }),
    buildCommand: Type.Optional(
      Type.Union([Type.String({ maxLength: 4096 }), Type.Null()], {
        description: 'One shell command line run in the new release as the site’s user, e.g. `npm ci && npm run build`',
      }),
    ),
    webRoot: Type.Optional(
      Type.String({
        maxLength: 255,
        description: 'Folder of the repository the site serves, e.g. `dist` (default: the repository’s top)',
      }),
    ),
    keepReleases: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, description: 'Releases kept for rollback, the live one included' }),
    ),
  },
  { additionalProperties: false },
);
const ConnectionWithSecret = Type.Intersect([
  ConnectionSchema,
  Type.Object({
    webhookSecret: Type.Union([Type.String(), Type.Null()], {
      description: 'The webhook secret, only in the answer that made it: paste it into the Git host’s webhook settings',
    }),
  }),
]);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

export interface RouteDeps {
  store: DeployStore;
  service: DeployService;
  config: () => DeploymentsConfig;
}

export function deploymentRoutes({ store, service, config }: RouteDeps) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/deployments/connection',
      {
        config: { permission: 'deployments.deployment.read' },
        schema: {
          summary: 'The website’s Git repository connection (404 DEPLOY_ERR_NOT_CONNECTED when none)',
          tags,
          params: SiteParams,
          response: { 200: ConnectionSchema, ...errors },
        },
      },
      async (request) => connectionView(await service.connectionFor(actorOf(request), request.params.id)),
    );

    app.put(
      '/:id/deployments/connection',
      {
        config: { permission: 'deployments.deployment.write' },
        schema: {
          summary: 'Connect the website to a Git repository, or change the connection',
          tags,
          params: SiteParams,
          body: ConnectBody,
          response: { 200: ConnectionWithSecret, ...errors },
        },
      },
      async (request) => {
        const { row, webhookSecret } = await service.connect(actorOf(request), request.params.id, request.body, infoOf(request));
        return { ...connectionView(row), webhookSecret };
      },
    );

    app.delete(
      '/:id/deployments/connection',
      {
        config: { permission: 'deployments.deployment.write' },
        schema: {
          summary: 'Disconnect the repository (the deploy key and webhook secret are deleted; releases stay)',
          tags,
          params: SiteParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.disconnect(actorOf(request), request.params.id, infoOf(request));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/deployments/connection/webhook-secret',
      {
        config: { permission: 'deployments.deployment.write' },
        schema: {
          summary: 'Make a new webhook secret (the old one stops working); shown only in this answer',
          tags,
          params: SiteParams,
          response: { 200: Type.Object({ webhookSecret: Type.String() }), ...errors },
        },
      },
      async (request) => ({ webhookSecret: await service.rotateSecret(actorOf(request), request.params.id, infoOf(request)) }),
    );

    app.get(
      '/:id/deployments',
      {
        config: { permission: 'deployments.deployment.read' },
        schema: {
          summary: 'The website’s deployments, newest first (the last 100; logs are in each deployment)',
          tags,
          params: SiteParams,
          response: { 200: Type.Object({ items: Type.Array(DeploymentSchema) }), ...errors },
        },
      },
      async (request) => {
        const site = await store.siteFor(actorOf(request), request.params.id);
        const conn = await store.connection(site.id);
        const current = conn?.current_deployment_id ?? null;
        return { items: (await store.ofSite(site.id)).map((r) => deploymentView(r, current)) };
      },
    );

    app.post(
      '/:id/deployments',
      {
        config: { permission: 'deployments.deployment.write' },
        schema: {
          summary: 'Deploy the connected branch now (queued; follow it with GET …/deployments/:deploymentId)',
          tags,
          params: SiteParams,
          response: { 202: DeploymentSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.deployNow(actorOf(request), request.params.id, infoOf(request));
        return reply.code(202).send(deploymentView(row, null));
      },
    );

    app.get(
      '/:id/deployments/:deploymentId',
      {
        config: { permission: 'deployments.deployment.read' },
        schema: {
          summary: 'One deployment with its build log (poll it while it runs: the log grows)',
          tags,
          params: DeploymentParams,
          response: { 200: DeploymentWithLogSchema, ...errors },
        },
      },
      async (request) => {
        const site = await store.siteFor(actorOf(request), request.params.id);
        const conn = await store.connection(site.id);
        return deploymentWithLogView(await store.one(site.id, request.params.deploymentId), conn?.current_deployment_id ?? null);
      },
    );

    app.get(
      '/:id/deployments/:deploymentId/log',
      {
        config: { permission: 'deployments.deployment.read' },
        schema: {
          summary: 'The build log as it grows, as server-sent events (text/event-stream) until the deployment ends',
          description:
            'Events: `snapshot` `{ text, truncated, status, phase, progress, error }` first, then `append` `{ text }` and `status` as they change, and `end` (the final status) before the stream closes. A stream that closes without `end` may be opened again: it starts with a new snapshot.',
          tags,
          params: DeploymentParams,
          response: { 200: Type.String({ description: 'text/event-stream' }), ...errors },
        },
      },
      async (request, reply) => {
        const site = await store.siteFor(actorOf(request), request.params.id);
        const row = await store.one(site.id, request.params.deploymentId);
        const c = config();
        const frames = logFrames({
          db: store.db.knex,
          table: `${store.db.schema}.deployments`,
          deploymentId: row.id,
          // As long as a deployment may last, queued time aside; the client reconnects after that.
          maxMs: (c.cloneTimeoutSeconds + c.buildTimeoutSeconds + 300) * 1000,
        });
        return (
          reply
            .type('text/event-stream; charset=utf-8')
            .header('cache-control', 'no-store')
            // NGINX in front of the panel would otherwise hold the events back in its buffer.
            .header('x-accel-buffering', 'no')
            // A stream is piped as it is; the schema's string only documents the type for OpenAPI.
            .send(Readable.from(frames, { objectMode: false }) as unknown as string)
        );
      },
    );

    app.post(
      '/:id/deployments/:deploymentId/rollback',
      {
        config: { permission: 'deployments.deployment.write' },
        schema: {
          summary: 'Serve this deployment’s release again (queued as a deployment of its own)',
          tags,
          params: DeploymentParams,
          response: { 202: DeploymentSchema, ...errors },
        },
      },
      async (request, reply) => {
        const row = await service.rollback(actorOf(request), request.params.id, request.params.deploymentId, infoOf(request));
        return reply.code(202).send(deploymentView(row, null));
      },
    );
  };
}
