/** The audit log (`coreServices.audit`) and its read side for admins. */
import type { AuditEntry, AuditService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { isPgError, PgCodes } from '../db/pg-errors.js';
import { AuditErrors } from './errors.js';
import { isPlainObject, isUuid, resolveLimit, toDate, toJsonText } from './validation.js';

/** An audit entry as read back. */
export interface AuditRecord {
  /** Increasing id (bigint as string). */
  id: string;
  /** ISO time. */
  at: string;
  /** Who wrote it: `core` or a plugin id. */
  source: string;
  actorId: string | null;
  action: string;
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

/** Filter of {@link listAudit}. Entries come newest first. */
export interface AuditFilter {
  actorId?: string;
  action?: string;
  source?: string;
  /** Entries at or after this time. */
  since?: Date | string;
  /** Entries before this time. */
  until?: Date | string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Next page: entries older than the entry with this id. */
  beforeId?: string;
}

interface DbRow {
  id: string;
  at: Date;
  source: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
}

/** A row to insert: `details` as JSON text (see toJsonText). */
type InsertRow = Omit<DbRow, 'id' | 'at' | 'details'> & { details: string };

const TABLE = 'hostplane.audit_log';
// `<area>.<resource>.<verb>`: at least two dot-separated parts.
const ACTION = /^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/;

/** An audit service writing entries under `source` (`core` or the plugin id). */
export function createAuditService(knex: Knex, source: string): AuditService {
  // A wiring mistake, not a bad entry.
  if (typeof source !== 'string' || source === '') throw new TypeError('audit source must be a non-empty string');
  return {
    async record(entry: AuditEntry, options: { trx?: Knex.Transaction } = {}): Promise<void> {
      const row = toInsertRow(source, entry);
      try {
        await (options.trx ?? knex)(TABLE).insert(row);
      } catch (err) {
        if (isPgError(err, PgCodes.untranslatableCharacter) || isPgError(err, PgCodes.invalidTextRepresentation)) {
          throw AuditErrors.entryInvalid(`PostgreSQL refused the details: ${(err as Error).message}`);
        }
        throw err;
      }
    },
  };
}

function toInsertRow(source: string, entry: AuditEntry): InsertRow {
  if (!isPlainObject(entry)) throw AuditErrors.entryInvalid('entry must be an object');
  const { action, actorId = null, target = null, details = {}, ip = null, requestId = null } = entry;
  if (typeof action !== 'string' || action.length > 200 || !ACTION.test(action)) {
    throw AuditErrors.entryInvalid('action must look like <area>.<resource>.<verb>');
  }
  if (actorId !== null && !isUuid(actorId)) throw AuditErrors.entryInvalid('actorId must be a user id (uuid) or null');
  if (target !== null && (!isPlainObject(target) || !nonEmpty(target.type) || !nonEmpty(target.id))) {
    throw AuditErrors.entryInvalid('target must be { type, id } with non-empty strings, or null');
  }
  const detailsJson = isPlainObject(details) ? toJsonText(details) : undefined;
  if (detailsJson === undefined) throw AuditErrors.entryInvalid('details must be a JSON object');
  if (ip !== null && (typeof ip !== 'string' || ip.length > 100)) throw AuditErrors.entryInvalid('ip must be a string or null');
  if (requestId !== null && (typeof requestId !== 'string' || requestId.length > 200)) {
    throw AuditErrors.entryInvalid('requestId must be a string or null');
  }
  return {
    source,
    actor_id: actorId,
    action,
    target_type: target?.type ?? null,
    target_id: target?.id ?? null,
    details: detailsJson,
    ip,
    request_id: requestId,
  };
}

/** Read the audit log, newest first, filtered. Throws AUDIT_ERR_FILTER_INVALID for a bad filter. */
export async function listAudit(knex: Knex, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  const limit = resolveLimit(filter.limit, 50, 500, AuditErrors.filterInvalid);
  const query = knex<DbRow>(TABLE)
    .select('*')
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  if (filter.actorId !== undefined) {
    if (!isUuid(filter.actorId)) throw AuditErrors.filterInvalid('actorId must be a uuid');
    query.where('actor_id', filter.actorId);
  }
  if (filter.action !== undefined) query.where('action', stringFilter(filter.action, 'action'));
  if (filter.source !== undefined) query.where('source', stringFilter(filter.source, 'source'));
  if (filter.since !== undefined) query.where('at', '>=', timeFilter(filter.since, 'since'));
  if (filter.until !== undefined) query.where('at', '<', timeFilter(filter.until, 'until'));
  if (filter.beforeId !== undefined) {
    const beforeId = String(filter.beforeId);
    // 18 digits at most: a 19-digit id may exceed bigint, and the cast would fail with an error.
    if (!/^[0-9]{1,18}$/.test(beforeId)) throw AuditErrors.filterInvalid('beforeId must be an entry id');
    // Keyset on (at, id), the same order as the listing; an unknown id yields an empty page.
    query.whereRaw('(at, id) < (select a.at, a.id from hostplane.audit_log a where a.id = ?::bigint)', [beforeId]);
  }
  const rows = await query.limit(limit);
  return rows.map(toRecord);
}

function stringFilter(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw AuditErrors.filterInvalid(`${name} must be a non-empty string`);
  return value;
}

function timeFilter(value: unknown, name: string): Date {
  const date = toDate(value);
  if (!date) throw AuditErrors.filterInvalid(`${name} must be a time`);
  return date;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function toRecord(row: DbRow): AuditRecord {
  return {
    id: row.id,
    at: row.at.toISOString(),
    source: row.source,
    actorId: row.actor_id,
    action: row.action,
    target: row.target_type !== null && row.target_id !== null ? { type: row.target_type, id: row.target_id } : null,
    details: row.details,
    ip: row.ip,
    requestId: row.request_id,
  };
}
