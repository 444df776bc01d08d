/**
 * The cron_jobs table, its API view, and the read of websites' shared `websites` table (which
 * sites exist, whose they are, under which subscription, whether they are live).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { CronErrors } from './errors.js';

export type RunStatus = 'succeeded' | 'failed' | 'timed-out' | 'refused';

export interface CronJobRow {
  id: string;
  website_id: string;
  owner_id: string;
  subscription_id: string;
  schedule: string;
  command: string;
  timeout_seconds: number;
  enabled: boolean;
  next_run_at: Date | null;
  running_since: Date | null;
  last_run_at: Date | null;
  last_finished_at: Date | null;
  last_status: RunStatus | null;
  last_exit_code: number | null;
  last_output: string | null;
  last_output_truncated: boolean;
  last_duration_ms: number | null;
  runs: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SiteRow {
  id: string;
  name: string;
  owner_id: string;
  subscription_id: string;
  desired: 'active' | 'suspended' | 'deleted';
}

const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const CronJobSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  ownerId: Type.String({ format: 'uuid' }),
  schedule: Type.String({ description: 'crontab(5) schedule, in UTC' }),
  command: Type.String(),
  timeoutSeconds: Type.Integer(),
  enabled: Type.Boolean(),
  nextRunAt: Time,
  running: Type.Boolean({ description: 'A run is going on now' }),
  lastRun: Type.Union([
    Type.Null(),
    Type.Object({
      startedAt: Type.String({ format: 'date-time' }),
      finishedAt: Time,
      status: Type.Union([Type.Null(), ...['succeeded', 'failed', 'timed-out', 'refused'].map((s) => Type.Literal(s))]),
      exitCode: Type.Union([Type.Integer(), Type.Null()]),
      durationMs: Type.Union([Type.Integer(), Type.Null()]),
      output: Type.String({ description: 'The end of standard output and error together (bounded)' }),
      outputTruncated: Type.Boolean(),
    }),
  ]),
  runs: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type CronJobView = Static<typeof CronJobSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function cronJobView(row: CronJobRow): CronJobView {
  return {
    id: row.id,
    websiteId: row.website_id,
    ownerId: row.owner_id,
    schedule: row.schedule,
    command: row.command,
    timeoutSeconds: row.timeout_seconds,
    enabled: row.enabled,
    nextRunAt: row.enabled ? iso(row.next_run_at) : null,
    running: row.running_since !== null,
    lastRun: row.last_run_at
      ? {
          startedAt: row.last_run_at.toISOString(),
          finishedAt: iso(row.last_finished_at),
          status: row.last_status,
          exitCode: row.last_exit_code,
          durationMs: row.last_duration_ms,
          output: row.last_output ?? '',
          outputTruncated: row.last_output_truncated,
        }
      : null,
    runs: row.runs,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class CronStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  jobs(trx?: Knex.Transaction) {
    return this.db.table<CronJobRow>('cron_jobs', trx);
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex).from('plugin_websites.websites').select('id', 'name', 'owner_id', 'subscription_id', 'desired');
  }

  /** A website (not being deleted) the actor may see; 404 otherwise (another tenant's id reads as missing). */
  async siteFor(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction): Promise<SiteRow> {
    const q = this.tenancy.scope(this.sites(trx).where('id', id).whereNot('desired', 'deleted'), actor, 'owner_id');
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw CronErrors.websiteNotFound(id);
    return row;
  }

  async site(id: string, trx?: Knex.Transaction): Promise<SiteRow | undefined> {
    return (await this.sites(trx).where('id', id).first()) as SiteRow | undefined;
  }

  async one(websiteId: string, id: string, trx?: Knex.Transaction, lock = false): Promise<CronJobRow> {
    const q = this.jobs(trx).where({ website_id: websiteId, id });
    if (lock) q.forUpdate();
    const row = (await q.first()) as CronJobRow | undefined;
    if (!row) throw CronErrors.notFound(id);
    return row;
  }

  async ofSite(websiteId: string): Promise<CronJobRow[]> {
    return (await this.jobs()
      .where({ website_id: websiteId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }])) as CronJobRow[];
  }
}
