/**
 * The uptime tables (checks, daily figures, incidents), their API views, and the read of the
 * websites plugin's `websites` table (which sites exist, whose they are, whether they are live).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { UptimeErrors } from './errors.js';

export type CheckState = 'unknown' | 'up' | 'down';

export interface CheckRow {
  id: string;
  website_id: string;
  owner_id: string;
  domain: string;
  protocol: 'http' | 'https';
  path: string;
  keyword: string | null;
  interval_minutes: number;
  enabled: boolean;
  state: CheckState;
  state_since: Date | null;
  failures: number;
  failing_since: Date | null;
  next_check_at: Date;
  last_checked_at: Date | null;
  last_status_code: number | null;
  last_response_ms: number | null;
  last_error: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SiteRow {
  id: string;
  domain: string;
  owner_id: string;
  desired: 'active' | 'suspended' | 'deleted';
}

interface UptimeFigures {
  uptime7d: number | null;
  uptime30d: number | null;
}

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Percent = Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
  description: 'Share of checks that found it up, in percent (null before the first check)',
});

export const CheckSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  ownerId: Type.String({ format: 'uuid' }),
  domain: Type.String(),
  url: Type.String({ description: 'The address fetched' }),
  protocol: Type.Union([Type.Literal('http'), Type.Literal('https')]),
  path: Type.String(),
  keyword: Type.Union([Type.String(), Type.Null()]),
  intervalMinutes: Type.Integer(),
  enabled: Type.Boolean(),
  state: Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')]),
  stateSince: Time,
  lastCheck: Type.Union([
    Type.Null(),
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      responseMs: Type.Union([Type.Integer(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
  ]),
  uptime7d: Percent,
  uptime30d: Percent,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type CheckView = Static<typeof CheckSchema>;

export const DaySchema = Type.Object({
  day: Type.String({ format: 'date' }),
  checks: Type.Integer(),
  failures: Type.Integer(),
  uptimePercent: Type.Number(),
  averageResponseMs: Type.Union([Type.Integer(), Type.Null()]),
});
export type DayView = Static<typeof DaySchema>;

export const IncidentSchema = Type.Object({
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Time,
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Null while it lasts' }),
  reason: Type.String(),
});
export type IncidentView = Static<typeof IncidentSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function urlOf(row: Pick<CheckRow, 'protocol' | 'domain' | 'path'>): string {
  return `${row.protocol}://${row.domain}${row.path}`;
}

export function checkView(row: CheckRow, figures: UptimeFigures = { uptime7d: null, uptime30d: null }): CheckView {
  return {
    id: row.id,
    websiteId: row.website_id,
    ownerId: row.owner_id,
    domain: row.domain,
    url: urlOf(row),
    protocol: row.protocol,
    path: row.path,
    keyword: row.keyword,
    intervalMinutes: row.interval_minutes,
    enabled: row.enabled,
    state: row.state,
    stateSince: iso(row.state_since),
    lastCheck: row.last_checked_at
      ? {
          at: row.last_checked_at.toISOString(),
          statusCode: row.last_status_code,
          responseMs: row.last_response_ms,
          error: row.last_error,
        }
      : null,
    ...figures,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const percent = (checks: number, failures: number): number | null =>
  checks === 0 ? null : Math.round(((checks - failures) / checks) * 10_000) / 100;

export class UptimeStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  checks(trx?: Knex.Transaction) {
    return this.db.table<CheckRow>('checks', trx);
  }

  /** A website (not being deleted) the actor may see; 404 otherwise (another tenant's id reads as missing). */
  async siteFor(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction): Promise<SiteRow> {
    const q = (trx ?? this.db.knex)
      .from('plugin_websites.websites')
      .select('id', 'domain', 'owner_id', 'desired')
      .where('id', id)
      .whereNot('desired', 'deleted');
    const row = (await this.tenancy.scope(q, actor, 'owner_id').first()) as SiteRow | undefined;
    if (!row) throw UptimeErrors.websiteNotFound(id);
    return row;
  }

  /** A check the actor may see (its website's owner is the actor or below them); 404 otherwise. */
  async checkFor(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction, lock = false): Promise<CheckRow> {
    const q = this.tenancy.scope(this.checks(trx).where('id', id), actor, 'owner_id');
    if (lock) q.forUpdate();
    const row = (await q.first()) as CheckRow | undefined;
    if (!row) throw UptimeErrors.notFound(id);
    return row;
  }

  /** Checks the actor may see, newest first, optionally of one website or in one state. */
  async list(
    actor: Pick<Actor, 'userId' | 'role'>,
    filter: { websiteId?: string; state?: CheckState; limit: number; offset: number },
  ): Promise<{ rows: CheckRow[]; total: number }> {
    const base = this.tenancy.scope(this.checks(), actor, 'owner_id');
    if (filter.websiteId) base.where('website_id', filter.websiteId);
    if (filter.state) base.where('state', filter.state);
    const counted = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
    const rows = (await base
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
      .limit(filter.limit)
      .offset(filter.offset)) as CheckRow[];
    return { rows, total: Number(counted[0]?.count ?? 0) };
  }

  /** Enabled checks per state, for the metrics. */
  async countsByState(): Promise<Record<CheckState, number>> {
    const rows = (await this.checks().where('enabled', true).groupBy('state').select('state').count({ count: '*' })) as Array<{
      state: CheckState;
      count: string;
    }>;
    const out: Record<CheckState, number> = { up: 0, down: 0, unknown: 0 };
    for (const r of rows) out[r.state] = Number(r.count);
    return out;
  }

  /** Uptime over the last 7 and 30 days (today included) of each check. */
  async figures(ids: string[], today: string): Promise<Map<string, UptimeFigures>> {
    const out = new Map<string, UptimeFigures>();
    if (ids.length === 0) return out;
    const rows = (await this.db
      .table('daily')
      .whereIn('check_id', ids)
      .where('day', '>', this.db.knex.raw(`?::date - 30`, [today]))
      .groupBy('check_id')
      .select(
        'check_id',
        this.db.knex.raw(`sum(checks) filter (where day > ?::date - 7) as c7`, [today]),
        this.db.knex.raw(`sum(failures) filter (where day > ?::date - 7) as f7`, [today]),
        this.db.knex.raw('sum(checks) as c30'),
        this.db.knex.raw('sum(failures) as f30'),
      )) as Array<{ check_id: string; c7: string | null; f7: string | null; c30: string; f30: string }>;
    for (const r of rows)
      out.set(r.check_id, {
        uptime7d: percent(Number(r.c7 ?? 0), Number(r.f7 ?? 0)),
        uptime30d: percent(Number(r.c30), Number(r.f30)),
      });
    return out;
  }

  /** The last `days` days of one check, oldest first (days without checks are left out). */
  async days(checkId: string, today: string, days: number): Promise<DayView[]> {
    const rows = (await this.db
      .table('daily')
      .where('check_id', checkId)
      .where('day', '>', this.db.knex.raw(`?::date - ?::int`, [today, days]))
      .orderBy('day')
      .select(this.db.knex.raw(`to_char(day, 'YYYY-MM-DD') as day`), 'checks', 'failures', 'response_ms_total')) as Array<{
      day: string;
      checks: number;
      failures: number;
      response_ms_total: string;
    }>;
    return rows.map((r) => ({
      day: r.day,
      checks: r.checks,
      failures: r.failures,
      uptimePercent: percent(r.checks, r.failures) ?? 0,
      averageResponseMs: r.checks > 0 ? Math.round(Number(r.response_ms_total) / r.checks) : null,
    }));
  }

  /** The newest incidents of one check. */
  async incidents(checkId: string, limit: number): Promise<IncidentView[]> {
    const rows = (await this.db
      .table('incidents')
      .where('check_id', checkId)
      .orderBy('started_at', 'desc')
      .limit(limit)) as Array<{ started_at: Date; ended_at: Date | null; reason: string }>;
    return rows.map((r) => ({
      startedAt: r.started_at.toISOString(),
      endedAt: iso(r.ended_at),
      durationSeconds: r.ended_at ? Math.round((r.ended_at.getTime() - r.started_at.getTime()) / 1000) : null,
      reason: r.reason,
    }));
  }
}
