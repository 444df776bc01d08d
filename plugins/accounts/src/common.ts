/** What every part of the plugin shares: its services, the caller, audit entries, list schemas. */
import {
  CommonErrors,
  ErrorResponseSchema,
  errorResponses as sdkErrorResponses,
  Type,
  type Actor,
  type AuditService,
  type DatabaseService,
  type EventsService,
  type LimitsService,
  type MailerService,
  type TenancyService,
  type UsersService,
} from '@hostplane/sdk';
import type { FastifyRequest } from 'fastify';
import type { Knex } from 'knex';

/** The services the plugin runs on. */
export interface AccountsDeps {
  db: DatabaseService;
  users: UsersService;
  tenancy: TenancyService;
  limits: LimitsService;
  audit: AuditService;
  events: EventsService;
  mailer: MailerService;
}

/** The caller of a route that states a permission (the host has authenticated it). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw CommonErrors.unauthenticated();
  return request.actor;
}

/**
 * Where a change comes from, for its audit entry: an HTTP request (a FastifyRequest fits), or
 * the CLI (`{ actor: null, via: 'cli' }`: done by the operator, no user).
 */
export interface ChangeSource {
  actor?: { userId: string } | null;
  ip?: string | null;
  id?: string | null;
  /** Recorded in the entry's details when set, e.g. `cli`. */
  via?: string;
}

/** What the CLI passes as the source of its changes. */
export const CLI_SOURCE: ChangeSource = { actor: null, via: 'cli' };

/**
 * The actor the CLI acts as: the platform itself (an operator at the console can do what an
 * admin can). Its id is no user's, so "not yourself" rules never trip and nothing is owned by it.
 */
export const PLATFORM_ACTOR: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  role: 'super_admin',
  permissions: new Set(),
};

/** Write one audit entry for a change made by `source`'s caller. */
export async function audit(
  deps: Pick<AccountsDeps, 'audit'>,
  source: ChangeSource | FastifyRequest | null,
  action: string,
  target: { type: string; id: string },
  details: Record<string, unknown> = {},
  trx?: Knex.Transaction,
): Promise<void> {
  const via = source && 'via' in source && typeof source.via === 'string' ? { via: source.via } : {};
  await deps.audit.record(
    {
      action,
      actorId: source?.actor?.userId ?? null,
      target,
      details: { ...details, ...via },
      ip: source?.ip ?? null,
      requestId: source?.id ?? null,
    },
    trx ? { trx } : {},
  );
}

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const DateTime = Type.String({ format: 'date-time' });

export const ErrorSchema = ErrorResponseSchema;

/** Error responses every route may give. */
export const errorResponses = sdkErrorResponses(400, 401, 403, 404, 409);

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};

/** Escape `%`, `_` and `\` for a LIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Rows of one page and the total of the filtered (unordered) query. The two queries run side by
 * side on two pool connections: the page is often an index walk that stops early, the count
 * reads every match, and the answer waits only for the slower one.
 */
export async function paginate<T>(
  base: Knex.QueryBuilder,
  order: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
  page: number,
  limit: number,
): Promise<{ rows: T[]; total: number }> {
  const [counted, rows] = await Promise.all([
    base.clone().clearSelect().clearOrder().count({ count: '*' }) as Promise<Array<{ count: string | number }>>,
    order(base.clone())
      .limit(limit)
      .offset((page - 1) * limit) as Promise<T[]>,
  ]);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}
