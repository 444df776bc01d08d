/** /api-tokens: personal tokens for scripts, shown once, scoped to what their owner holds. */
import { Type, type RouteApp } from '@hostplane/sdk';
import { ApiTokenNotFound, ExpiryInvalid } from '../errors.js';
import { API_TOKEN_PREFIX, type ApiTokenInfo } from '../services/api-tokens.js';
import { recordAudit, type AuthDeps } from '../services/context.js';
import { actorOf, DateTime, ErrorSchema, NullableDateTime, requestInfo } from './shared.js';

const TokenInfoSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  prefix: Type.Literal(API_TOKEN_PREFIX),
  last4: Type.String(),
  createdAt: DateTime,
  expiresAt: NullableDateTime,
  lastUsedAt: NullableDateTime,
});

function view(info: ApiTokenInfo) {
  return {
    id: info.id,
    name: info.name,
    scopes: info.scopes,
    prefix: API_TOKEN_PREFIX as typeof API_TOKEN_PREFIX,
    last4: info.last4,
    createdAt: info.createdAt.toISOString(),
    expiresAt: info.expiresAt?.toISOString() ?? null,
    lastUsedAt: info.lastUsedAt?.toISOString() ?? null,
  };
}

export function apiTokenRoutes(deps: AuthDeps) {
  return (app: RouteApp): void => {
    app.post(
      '/api-tokens',
      {
        config: { permission: 'auth.token.manage' },
        schema: {
          summary: 'Create a personal API token (shown once)',
          description:
            'Use it as `Authorization: Bearer hp_…`. Scopes must be permissions you hold (AUTH_ERR_SCOPE_NOT_HELD names ' +
            'the others); at each request the token acts with its scopes narrowed to what you still hold.',
          tags: ['auth'],
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              scopes: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }),
              expiresAt: Type.Optional(DateTime),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Intersect([TokenInfoSchema, Type.Object({ token: Type.String({ description: 'Shown once' }) })]),
            400: ErrorSchema,
            401: ErrorSchema,
            403: ErrorSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const expiresAt = request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt);
        if (expiresAt && expiresAt.getTime() <= deps.now().getTime()) throw ExpiryInvalid();
        const { token, info } = await deps.apiTokens.create(
          actor.userId,
          { name: request.body.name.trim() || 'token', scopes: request.body.scopes, expiresAt },
          actor.permissions,
        );
        await recordAudit(deps, requestInfo(request), 'auth.token.created', {
          actorId: actor.userId,
          target: { type: 'api_token', id: info.id },
          details: { name: info.name, scopes: info.scopes, expiresAt: info.expiresAt?.toISOString() ?? null },
        });
        return reply.code(201).send({ ...view(info), token });
      },
    );

    app.get(
      '/api-tokens',
      {
        config: { permission: 'auth.token.manage' },
        schema: {
          summary: 'My API tokens (never the tokens themselves)',
          tags: ['auth'],
          response: { 200: Type.Object({ items: Type.Array(TokenInfoSchema) }), 401: ErrorSchema, 403: ErrorSchema },
        },
      },
      async (request) => ({ items: (await deps.apiTokens.list(actorOf(request).userId)).map(view) }),
    );

    app.delete(
      '/api-tokens/:id',
      {
        config: { permission: 'auth.token.manage' },
        schema: {
          summary: 'Revoke one of my API tokens',
          tags: ['auth'],
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: { 204: Type.Null(), 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        if (!(await deps.apiTokens.revoke(actor.userId, request.params.id))) throw ApiTokenNotFound();
        await recordAudit(deps, requestInfo(request), 'auth.token.revoked', {
          actorId: actor.userId,
          target: { type: 'api_token', id: request.params.id },
        });
        return reply.code(204).send(null);
      },
    );
  };
}
