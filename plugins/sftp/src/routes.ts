/** `/v1/websites/:id/sftp-accounts`: a website's SFTP accounts (list, create, read, change, delete). */
import { CommonErrors, errorResponses, Type, type Actor, type RouteApp } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { MAX_KEYS } from './keys.js';
import { NAME_PATTERN } from './names.js';
import type { AccountsService, RequestInfo } from './services/accounts-service.js';
import { AccountSchema } from './store.js';

const tags = ['sftp'];
const Uuid = Type.String({ format: 'uuid' });
const SiteParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const AccountParams = Type.Object({ id: Uuid, accountId: Uuid }, { additionalProperties: false });
const errors = errorResponses(400, 401, 403, 404, 409, 503);

const Password = Type.String({ minLength: 12, maxLength: 128, description: '12 to 128 characters' });
const Keys = Type.Array(Type.String({ minLength: 1, maxLength: 16_384 }), {
  maxItems: MAX_KEYS,
  description: 'OpenSSH public keys, one per item (`ssh-ed25519 AAAA… comment`)',
});

const CreateBody = Type.Object(
  {
    name: Type.String({
      pattern: NAME_PATTERN,
      description: 'Your part of the login (1–16 lower-case letters and digits, a letter first); the login is `<site>_<name>`',
    }),
    password: Type.Optional(Password),
    publicKeys: Type.Optional(Keys),
  },
  { additionalProperties: false, description: 'Without a password and without keys, a password is generated and shown once' },
);

const UpdateBody = Type.Object(
  {
    password: Type.Optional(Type.Union([Type.Null(), Password], { description: 'A new password; null: keys only' })),
    generatePassword: Type.Optional(Type.Boolean({ description: 'Make a new password and show it once' })),
    publicKeys: Type.Optional(Keys),
  },
  { additionalProperties: false },
);

const WithPassword = Type.Intersect([
  AccountSchema,
  Type.Object({
    password: Type.Optional(Type.String({ description: 'The generated password: shown this once, stored nowhere' })),
  }),
]);

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

function infoOf(request: FastifyRequest): RequestInfo {
  return { actorId: request.actor?.userId ?? null, ip: request.ip, requestId: request.id };
}

export function sftpRoutes({ service }: { service: AccountsService }) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/sftp-accounts',
      {
        config: { permission: 'sftp.account.read' },
        schema: {
          summary: 'SFTP accounts of a website',
          tags,
          params: SiteParams,
          response: { 200: Type.Object({ items: Type.Array(AccountSchema) }), ...errors },
        },
      },
      async (request) => ({ items: await service.list(actorOf(request), request.params.id) }),
    );

    app.post(
      '/:id/sftp-accounts',
      {
        config: { permission: 'sftp.account.write' },
        schema: {
          summary: 'Create an SFTP account (chrooted to the website, files owned by its user)',
          tags,
          params: SiteParams,
          body: CreateBody,
          response: { 201: WithPassword, ...errors },
        },
      },
      async (request, reply) => {
        const made = await service.create(actorOf(request), request.params.id, request.body, infoOf(request));
        return reply.code(201).send(made);
      },
    );

    app.get(
      '/:id/sftp-accounts/:accountId',
      {
        config: { permission: 'sftp.account.read' },
        schema: { summary: 'One SFTP account', tags, params: AccountParams, response: { 200: AccountSchema, ...errors } },
      },
      async (request) => service.get(actorOf(request), request.params.id, request.params.accountId),
    );

    app.patch(
      '/:id/sftp-accounts/:accountId',
      {
        config: { permission: 'sftp.account.write' },
        schema: {
          summary: 'Change an SFTP account’s password or keys',
          tags,
          params: AccountParams,
          body: UpdateBody,
          response: { 200: WithPassword, ...errors },
        },
      },
      async (request) =>
        service.update(actorOf(request), request.params.id, request.params.accountId, request.body, infoOf(request)),
    );

    app.delete(
      '/:id/sftp-accounts/:accountId',
      {
        config: { permission: 'sftp.account.write' },
        schema: {
          summary: 'Delete an SFTP account (its open sessions are ended)',
          tags,
          params: AccountParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await service.remove(actorOf(request), request.params.id, request.params.accountId, infoOf(request));
        return reply.code(204).send(null);
      },
    );
  };
}
