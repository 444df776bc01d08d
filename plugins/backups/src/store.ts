/**
 * The backups tables, their API views, and the reads of other plugins' shared tables: a
 * website (websites' `websites`) and whether its package includes backups (accounts').
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BackupsErrors } from './errors.js';
import type { BackupProgress } from './restic/progress.js';
import type { PackageBackupFeatures } from './services/policy.js';

export type BackupStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'forgotten';

export interface BackupRow {
  id: string;
  website_id: string;
  site_name: string;
  owner_id: string;
  subscription_id: string;
  kind: 'files';
  trigger: 'manual' | 'schedule';
  status: BackupStatus;
  snapshot_id: string | null;
  progress: BackupProgress | null;
  size_bytes: string | null;
  added_bytes: string | null;
  files: number | null;
  duration_ms: number | null;
  error: string | null;
  pid: number | null;
  file_owners: FileOwners | null;
  attempts: number;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** Scheduled backups: the opening of the window they belong to (one per site and window). */
  window_start: Date | null;
  /** The reseller target it went to (decision 0077); null: the platform's. */
  target_id: string | null;
}

/** One database of a backup: its dump's own snapshot (see migrations/20261206100000). */
export interface BackupDatabaseRow {
  id: string;
  backup_id: string;
  database_id: string;
  name: string;
  server: string;
  engine: string;
  format: string | null;
  status: 'pending' | 'succeeded' | 'skipped';
  snapshot_id: string | null;
  size_bytes: string | null;
  added_bytes: string | null;
  error: string | null;
}

export interface RestoreRow {
  id: string;
  backup_id: string;
  website_id: string;
  owner_id: string;
  path: string | null;
  database_id: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  error: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/** Owners of a site's files (see SiteTree). */
export interface FileOwners {
  uid: number;
  gid: number;
  userGid: number;
}

/** A website as the backups plugin reads it. */
export interface SiteRow {
  id: string;
  name: string;
  domain: string;
  owner_id: string;
  subscription_id: string;
  desired: string;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ProgressSchema = Type.Object({
  percent: Type.Number({ description: '0–100' }),
  bytesDone: Type.Integer(),
  bytesTotal: Type.Integer(),
  filesDone: Type.Integer(),
  filesTotal: Type.Integer(),
  etaSeconds: Nullable(Type.Number({ description: 'Seconds left as restic estimates them' })),
});

export const BackupDatabaseSchema = Type.Object({
  databaseId: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'Name on its server when it was backed up' }),
  engine: Type.String(),
  status: Type.String({
    enum: ['pending', 'succeeded', 'skipped'],
    description: 'skipped: its server cannot dump (the reason is in error)',
  }),
  snapshotId: Nullable(Type.String()),
  sizeBytes: Nullable(Type.Integer({ description: 'Bytes of the dump' })),
  addedBytes: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
});
export type BackupDatabaseView = Static<typeof BackupDatabaseSchema>;

export const BackupSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  siteName: Type.String(),
  ownerId: Type.String({ format: 'uuid' }),
  subscriptionId: Type.String({ format: 'uuid' }),
  kind: Type.Literal('files'),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  status: Type.String({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'forgotten'] }),
  snapshotId: Nullable(Type.String()),
  progress: Nullable(ProgressSchema),
  sizeBytes: Nullable(Type.Integer({ description: 'Bytes of the site in the snapshot' })),
  addedBytes: Nullable(Type.Integer({ description: 'New bytes this backup stored (after deduplication and compression)' })),
  files: Nullable(Type.Integer()),
  durationMs: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  databases: Type.Array(BackupDatabaseSchema, { description: 'The site’s databases, each dumped into a snapshot of its own' }),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type BackupView = Static<typeof BackupSchema>;

export const RestoreSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  backupId: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  path: Nullable(Type.String()),
  databaseId: Nullable(Type.String({ format: 'uuid', description: 'The database restored (null: files)' })),
  status: Type.String({ enum: ['queued', 'running', 'succeeded', 'failed'] }),
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type RestoreView = Static<typeof RestoreSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const int = (v: string | number | null): number | null => (v === null ? null : Number(v));

export function backupDatabaseView(row: BackupDatabaseRow): BackupDatabaseView {
  return {
    databaseId: row.database_id,
    name: row.name,
    engine: row.engine,
    status: row.status,
    snapshotId: row.snapshot_id,
    sizeBytes: int(row.size_bytes),
    addedBytes: int(row.added_bytes),
    error: row.error,
  };
}

export function backupView(row: BackupRow, databases: BackupDatabaseRow[] = []): BackupView {
  return {
    id: row.id,
    websiteId: row.website_id,
    siteName: row.site_name,
    ownerId: row.owner_id,
    subscriptionId: row.subscription_id,
    kind: row.kind,
    trigger: row.trigger,
    status: row.status,
    snapshotId: row.snapshot_id,
    progress: row.progress,
    sizeBytes: int(row.size_bytes),
    addedBytes: int(row.added_bytes),
    files: row.files,
    durationMs: row.duration_ms,
    error: row.error,
    databases: databases.map(backupDatabaseView),
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function restoreView(row: RestoreRow): RestoreView {
  return {
    id: row.id,
    backupId: row.backup_id,
    websiteId: row.website_id,
    path: row.path,
    databaseId: row.database_id ?? null,
    status: row.status,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

export class BackupStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  backups(trx?: Knex.Transaction) {
    return this.db.table<BackupRow>('backups', trx);
  }

  restores(trx?: Knex.Transaction) {
    return this.db.table<RestoreRow>('restores', trx);
  }

  scheduleSkips(trx?: Knex.Transaction) {
    return this.db.table<{ website_id: string; window_start: Date; reason: string }>('schedule_skips', trx);
  }

  databaseParts(trx?: Knex.Transaction) {
    return this.db.table<BackupDatabaseRow>('backup_databases', trx);
  }

  /** The database parts of these backups, by backup id. */
  async partsOf(backupIds: string[], trx?: Knex.Transaction): Promise<Map<string, BackupDatabaseRow[]>> {
    const map = new Map<string, BackupDatabaseRow[]>();
    if (backupIds.length === 0) return map;
    const rows = (await this.databaseParts(trx).whereIn('backup_id', backupIds).orderBy('name')) as BackupDatabaseRow[];
    for (const r of rows) map.set(r.backup_id, [...(map.get(r.backup_id) ?? []), r]);
    return map;
  }

  /** Backups the actor may see (own, or its subtree's), as a query to refine. */
  scoped(actor: Pick<Actor, 'userId' | 'role'>, trx?: Knex.Transaction): Knex.QueryBuilder {
    return this.tenancy.scope(this.backups(trx) as Knex.QueryBuilder, actor, `${this.db.schema}.backups.owner_id`);
  }

  /** A backup the actor may see; 404 otherwise (another tenant's id reads as missing). */
  async scopedOne(actor: Actor, id: string, trx?: Knex.Transaction): Promise<BackupRow> {
    const row = (await this.scoped(actor, trx).where(`${this.db.schema}.backups.id`, id).first()) as BackupRow | undefined;
    if (!row) throw BackupsErrors.notFound(id);
    return row;
  }

  async restoreScoped(actor: Actor, id: string): Promise<RestoreRow> {
    const q = this.tenancy.scope(this.restores() as Knex.QueryBuilder, actor, `${this.db.schema}.restores.owner_id`);
    const row = (await q.where(`${this.db.schema}.restores.id`, id).first()) as RestoreRow | undefined;
    if (!row) throw BackupsErrors.restoreNotFound(id);
    return row;
  }

  async byId(id: string, trx?: Knex.Transaction): Promise<BackupRow | undefined> {
    return (await this.backups(trx).where({ id }).first()) as BackupRow | undefined;
  }

  async update(id: string, patch: Partial<Record<keyof BackupRow, unknown>>, trx?: Knex.Transaction): Promise<void> {
    await this.backups(trx)
      .where({ id })
      .update(patch as never);
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex)
      .from('plugin_websites.websites')
      .select('id', 'name', 'domain', 'owner_id', 'subscription_id', 'desired');
  }

  /** A website (not being deleted) the actor may see; 404 naming the field otherwise. */
  async siteFor(actor: Actor, id: string, field: string, trx?: Knex.Transaction): Promise<SiteRow> {
    const q = this.tenancy.scope(this.sites(trx).where('id', id).whereNot('desired', 'deleted'), actor, 'owner_id');
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw BackupsErrors.websiteNotFound(id, field);
    return row;
  }

  /** The live websites of one customer (the caller was checked against the customer). */
  async sitesOfCustomer(ownerId: string, trx?: Knex.Transaction): Promise<SiteRow[]> {
    return (await this.sites(trx).where('owner_id', ownerId).whereNot('desired', 'deleted').orderBy('name')) as SiteRow[];
  }

  async site(id: string, trx?: Knex.Transaction): Promise<SiteRow | undefined> {
    return (await this.sites(trx).where('id', id).whereNot('desired', 'deleted').first()) as SiteRow | undefined;
  }

  /**
   * Live websites whose subscription is active and whose package includes backups, each with its
   * package's features (its backup policy), for the scheduler.
   */
  async sitesWithBackups(trx?: Knex.Transaction): Promise<Array<SiteRow & { features: PackageBackupFeatures }>> {
    return (await (trx ?? this.db.knex)
      .from('plugin_websites.websites as w')
      .join('plugin_accounts.subscriptions as s', 's.id', 'w.subscription_id')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .whereNot('w.desired', 'deleted')
      .where('s.status', 'active')
      .whereRaw(`coalesce((p.features ->> 'backups')::boolean, false)`)
      .select('w.id', 'w.name', 'w.domain', 'w.owner_id', 'w.subscription_id', 'w.desired', 'p.features')
      .orderBy('w.id')) as Array<SiteRow & { features: PackageBackupFeatures }>;
  }

  /** The package features (backup policy) of these subscriptions, by subscription id. */
  async featuresOf(subscriptionIds: string[], trx?: Knex.Transaction): Promise<Map<string, PackageBackupFeatures>> {
    if (subscriptionIds.length === 0) return new Map();
    const rows = (await (trx ?? this.db.knex)
      .from('plugin_accounts.subscriptions as s')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .whereIn('s.id', subscriptionIds)
      .select('s.id', 'p.features')) as Array<{ id: string; features: PackageBackupFeatures }>;
    return new Map(rows.map((r) => [r.id, r.features]));
  }

  /** Does the subscription's package include backups? */
  async packageIncludesBackups(subscriptionId: string, trx?: Knex.Transaction): Promise<boolean> {
    const row = (await (trx ?? this.db.knex)
      .from('plugin_accounts.subscriptions as s')
      .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
      .where('s.id', subscriptionId)
      .first(this.db.knex.raw(`coalesce((p.features ->> 'backups')::boolean, false) as included`))) as
      { included: boolean } | undefined;
    return row?.included === true;
  }
}
