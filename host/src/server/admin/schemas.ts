/**
 * TypeBox schemas of the admin API: params, queries, bodies and every response. OpenAPI is
 * generated from these, and responses are serialized through them (unlisted fields never leak).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@hostplane/sdk';
import { Nullable } from '../nullable.js';
import { OUTBOX_STATUSES } from '@hostplane/core';

/** The error shape, for documenting 4xx/5xx responses. */
export const ErrorSchema = ErrorResponseSchema;

/**
 * Documented error responses of a route. Bodies are written by the error handler itself, so
 * these schemas describe rather than filter.
 */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of [...statuses, 401, 403, 429, 500]) out[status] = ErrorSchema;
  return out;
}

/** `:id` of a plugin. */
export const PluginIdParams = Type.Object(
  { id: Type.String({ pattern: '^[a-z][a-z0-9-]*$', maxLength: 64, description: 'Plugin id' }) },
  { additionalProperties: false },
);

/** A plugin's own report: `ok`, or `degraded` with why. */
export const PluginHealthSchema = Type.Object({
  state: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  reason: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});

const PluginState = Type.Union(
  ['discovered', 'installed', 'enabled', 'started', 'disabled', 'failed'].map((s) => Type.Literal(s)),
);

/** A plugin package's signature and whether this install trusts it (core's SignatureStatus). */
export const PluginSignatureSchema = Type.Object(
  {
    state: Type.Union(
      ['trusted', 'untrusted', 'invalid', 'unsigned', 'not-checked'].map((s) => Type.Literal(s)),
      {
        description:
          '`trusted`: signed by a trusted or first-party key and unchanged since; `untrusted`: by a key nobody trusts; ' +
          '`invalid`: changed after signing (`problem` names the file); `unsigned`; `not-checked`: handed in-process',
      },
    ),
    signer: Type.Union([
      Type.Object({
        keyId: Type.String({ description: '16 hex digits of the SHA-256 of the ed25519 public key' }),
        name: Type.Union([Type.String(), Type.Null()], { description: 'The name the admin trusted the key under' }),
        firstParty: Type.Boolean(),
      }),
      Type.Null(),
    ]),
    allowed: Type.Boolean({ description: 'The admin allowed this id to run without a trusted signature' }),
    problem: Type.Union([Type.String(), Type.Null()]),
  },
  { description: 'Enabling is refused (403) unless `trusted` or `allowed`' },
);

/** A plugin as the API lists it. */
export const PluginStatusSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  displayName: Type.String(),
  description: Type.String(),
  source: Type.Union([Type.Literal('first-party'), Type.Literal('npm'), Type.Literal('drop-in'), Type.Literal('inline')]),
  path: Type.String({ description: 'Folder of the package on the host' }),
  state: PluginState,
  enabled: Type.Boolean({ description: "The admin's wish; `state` is what is" }),
  error: Type.Union([
    Type.Object({ phase: Type.String(), message: Type.String(), at: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
  health: Type.Union([PluginHealthSchema, Type.Null()], {
    description: 'What the started plugin reports about itself (`degraded` with the reason)',
  }),
  permissions: Type.Array(Type.String()),
  requires: Type.Record(Type.String(), Type.String()),
  provides: Type.Array(Type.String()),
  configSchema: Type.Unknown({ description: 'JSON schema of the config, or null' }),
  signature: PluginSignatureSchema,
});

/** `{ items }` around a list. */
export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item) });
}

/** A plugin's config: secrets masked when read, write-only when written. */
export const PluginConfigSchema = Type.Object({
  config: Type.Record(Type.String(), Type.Unknown()),
});

/** Body of `PUT /v1/plugins/:id/config`: the whole new config. */
/** What disabling a plugin takes with it (core's DisableImpact). */
export const DisableImpactSchema = Type.Object({
  id: Type.String(),
  dependents: Type.Array(Type.String(), { description: 'Enabled plugins that stop with it, in stop order' }),
  signsPeopleIn: Type.Boolean({ description: 'It signs people in: sessions it made end with it' }),
  lastSignInProvider: Type.Boolean({ description: 'No other enabled plugin signs people in: disabling is refused' }),
});

export const DisableQuery = Type.Object(
  {
    cascade: Type.Optional(Type.Boolean({ description: 'Disable the enabled plugins that require it too (dependants first)' })),
  },
  { additionalProperties: false },
);

export const PluginConfigBody = Type.Object(
  { config: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);

const JobState = Type.Union([
  Type.Literal('waiting'),
  Type.Literal('scheduled'),
  Type.Literal('running'),
  Type.Literal('interrupted'),
  Type.Literal('retrying'),
  Type.Literal('dead'),
]);

/** A durable job. */
export const JobInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  state: JobState,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAt: Type.String({ format: 'date-time' }),
  lastError: Nullable(Type.String()),
  progress: Nullable(Type.Number()),
  progressMessage: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  key: Nullable(Type.String()),
});

/** `:id` of a job. */
export const JobIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128, description: 'Job id' }) },
  { additionalProperties: false },
);

/** Filters of `GET /v1/jobs`. */
export const JobListQuery = Type.Object(
  {
    state: Type.Optional(JobState),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    // Bounded: PostgreSQL's OFFSET is a bigint and refuses 1e308 with an error, not a 400.
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

/** Where a mail is in its delivery (docs/decisions/0018). */
export const OutboxStatusSchema = Type.Union(OUTBOX_STATUSES.map((s) => Type.Literal(s)));

/** A mail in the outbox. */
export const OutboxMailSchema = Type.Object({
  id: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Nullable(Type.String()),
  tag: Nullable(Type.String()),
  source: Type.String(),
  fromName: Nullable(Type.String()),
  replyTo: Nullable(Type.String()),
  attachments: Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
  status: OutboxStatusSchema,
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});

/** Filters of `GET /v1/outbox`. */
export const OutboxQuery = Type.Object(
  {
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    status: Type.Optional(OutboxStatusSchema),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
