/**
 * `/v1/backups/reseller-targets/:resellerId`: a reseller's own backup storage (S3 or SFTP) for
 * the sites of its tree (decision 0077). A reseller reads and sets its own only (another's id
 * reads as missing); administrators any reseller's; customers never see targets. Secrets go in
 * and never come out: an SFTP target shows the public half of its key.
 */
import { CommonErrors, errorResponses, Type, type AuditService, type RouteApp, type UsersService } from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import { BackupsErrors } from './errors.js';
import type { Restic } from './restic/restic.js';
import type { Repositories } from './services/repository.js';
import type { ResellerTargetRow, ResellerTargets, S3Settings, SftpSettings } from './services/reseller-targets.js';
import { publicKeyOf } from './services/sftp.js';

const tags = ['backups'];
const Params = Type.Object({ resellerId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

// Titles: the panel's forms for these bodies (panel.ts) label their inputs with them.
const S3Fields = {
  endpoint: Type.String({ title: 'Endpoint', pattern: '^https://[^\\s/]+$', maxLength: 300, description: 'https://host[:port]' }),
  bucket: Type.String({ title: 'Bucket', pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
  prefix: Type.String({ title: 'Folder in the bucket', default: 'hostplane', maxLength: 200, pattern: '^[A-Za-z0-9._/-]*$' }),
  accessKeyId: Type.String({ title: 'Access key id', minLength: 1, maxLength: 200 }),
};
const SftpFields = {
  host: Type.String({ title: 'Host', minLength: 1, maxLength: 253, pattern: '^([A-Za-z0-9][A-Za-z0-9.-]*|[0-9A-Fa-f:]+)$' }),
  port: Type.Integer({ title: 'Port', minimum: 1, maximum: 65535, default: 22 }),
  user: Type.String({ title: 'User', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' }),
  path: Type.String({
    title: 'Folder',
    minLength: 1,
    maxLength: 1024,
    pattern: '^[^\\u0000\\n\\s]+$',
    description: 'e.g. /srv/backups/hostplane',
  }),
  hostKey: Type.String({
    title: 'Host key',
    minLength: 1,
    maxLength: 16_384,
    pattern: '^[^\\u0000\\n]*$',
    description: 'The server’s public host key, or an ssh-keyscan line: the only key accepted',
  }),
};

/** The `s3` member of a PUT body. */
export const S3Body = Type.Object(
  {
    ...S3Fields,
    secretAccessKey: Type.Optional(
      Type.String({
        title: 'Secret access key',
        writeOnly: true,
        minLength: 1,
        maxLength: 200,
        description: 'Stored sealed; leave out to keep the stored one',
      }),
    ),
  },
  { title: 'Bucket', additionalProperties: false },
);

/** The `sftp` member of a PUT body. */
export const SftpBody = Type.Object(
  {
    ...SftpFields,
    privateKey: Type.Optional(
      Type.String({
        title: 'Private key',
        writeOnly: true,
        minLength: 1,
        maxLength: 16_384,
        description: 'Unencrypted OpenSSH private key, stored sealed; leave out to keep (or have made) the target’s own',
      }),
    ),
  },
  { title: 'SFTP server', additionalProperties: false },
);

const PutBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('s3'), Type.Literal('sftp')]),
    s3: Type.Optional(S3Body),
    sftp: Type.Optional(SftpBody),
  },
  { additionalProperties: false },
);

const View = Type.Object({
  resellerId: Type.String({ format: 'uuid' }),
  kind: Type.Union([Type.Literal('s3'), Type.Literal('sftp')]),
  location: Type.String({ description: 'restic repository (s3:https://… or sftp:user@host:/path); never a credential' }),
  s3: Nullable(Type.Object(S3Fields)),
  sftp: Nullable(Type.Object(SftpFields)),
  publicKey: Nullable(
    Type.String({ description: 'SFTP: the public half of the target’s key, for the server’s authorized_keys' }),
  ),
  reachable: Type.Boolean({ description: 'Opened with its key just now' }),
  snapshots: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  updatedAt: Type.String({ format: 'date-time' }),
});

export function resellerTargetRoutes(deps: {
  targets: ResellerTargets;
  repos: Repositories;
  restic: () => Restic;
  users: UsersService;
  audit: AuditService;
}) {
  const { targets, repos, restic, users, audit } = deps;

  /** The reseller the caller may act for: itself, or (administrators) any reseller; anyone else reads as missing. */
  async function resellerFor(request: FastifyRequest, resellerId: string): Promise<string> {
    const actor = request.actor;
    if (!actor) throw CommonErrors.unauthenticated();
    const mine = actor.role === 'reseller' && actor.userId === resellerId;
    if (!mine && actor.role !== 'super_admin') throw BackupsErrors.targetNotFound(resellerId);
    if (!mine && (await users.get(resellerId))?.role !== 'reseller') throw BackupsErrors.targetNotFound(resellerId);
    return resellerId;
  }

  async function view(row: ResellerTargetRow) {
    const target = await targets.target(row.id);
    const out = {
      resellerId: row.owner_id,
      kind: row.kind,
      location: target.location,
      s3: row.kind === 's3' ? (row.settings as S3Settings) : null,
      sftp: row.kind === 'sftp' ? (row.settings as SftpSettings) : null,
      publicKey: row.kind === 'sftp' ? await publicKeyOf(await targets.sshKey(row)) : null,
      reachable: false,
      snapshots: null as number | null,
      error: null as string | null,
      updatedAt: row.updated_at.toISOString(),
    };
    try {
      const repo = await repos.forTarget(row.id);
      out.snapshots = (await restic().snapshots(repo)).length;
      out.reachable = true;
    } catch (err) {
      out.error = (err as Error).message;
    }
    return out;
  }

  return (app: RouteApp): void => {
    app.get(
      '/reseller-targets/:resellerId',
      {
        config: { permission: 'backups.target.own' },
        schema: {
          summary: 'A reseller’s own backup storage, opened with its key just now',
          tags,
          params: Params,
          response: { 200: View, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const resellerId = await resellerFor(request, request.params.resellerId);
        const row = await targets.ofReseller(resellerId);
        if (!row) throw BackupsErrors.targetNotFound(resellerId);
        return view(row);
      },
    );

    app.delete(
      '/reseller-targets/:resellerId',
      {
        config: { permission: 'backups.target.own' },
        schema: {
          summary: 'Stop using a reseller’s own backup storage: new backups of its tree go to the platform’s',
          description:
            'Backups made there stay where they are: restorable, retained and checked while the storage is reachable. ' +
            'A later PUT takes the target up again.',
          tags,
          params: Params,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const resellerId = await resellerFor(request, request.params.resellerId);
        if (!(await targets.remove(resellerId))) throw BackupsErrors.targetNotFound(resellerId);
        await audit.record({
          action: 'backups.target.removed',
          actorId: request.actor?.userId ?? null,
          target: { type: 'user', id: resellerId },
          ip: request.ip,
          requestId: request.id,
        });
        reply.code(204);
        return null;
      },
    );

    app.put(
      '/reseller-targets/:resellerId',
      {
        config: { permission: 'backups.target.own' },
        schema: {
          summary: 'Set a reseller’s own backup storage (S3 or SFTP) for the sites of its tree',
          description:
            'New backups of the sites whose customers are under this reseller go there; earlier backups stay where they ' +
            'were made. Secrets are stored sealed and never shown. An SFTP target without a privateKey gets one of its own: ' +
            'add its publicKey to the server’s authorized_keys. A host that is, or resolves to, this server or a private ' +
            'network is refused unless an admin allows it (resellerTargetHosts in the backups settings).',
          tags,
          params: Params,
          body: PutBody,
          response: { 200: View, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const resellerId = await resellerFor(request, request.params.resellerId);
        const row = await targets.put(resellerId, request.body);
        await audit.record({
          action: 'backups.target.updated',
          actorId: request.actor?.userId ?? null,
          target: { type: 'user', id: resellerId },
          details: { targetId: row.id, kind: row.kind },
          ip: request.ip,
          requestId: request.id,
        });
        return view(row);
      },
    );
  };
}
