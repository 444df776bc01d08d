/**
 * Asking for backups and restores. Each request is one transaction: the row, the package's
 * `backups` count (reserved with the limits service) and the durable job, so a backup either
 * exists with its job queued or does not exist at all.
 */
import type { Actor, AuditService, JobsService, LimitsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { BackupsErrors } from '../errors.js';
import type { Restic } from '../restic/restic.js';
import type { BackupRow, BackupStore, RestoreRow, SiteRow } from '../store.js';
import type { DatabaseParts } from './database-parts.js';
import type { Repositories } from './repository.js';
import { BACKUP_JOB, backupJobKey, RESTORE_JOB, restoreJobKey, type Runner } from './runner.js';
import { snapshotPathOf } from './site-paths.js';
import type { StorageMeter } from './storage.js';

export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface BackupsServiceDeps {
  store: BackupStore;
  limits: LimitsService;
  audit: AuditService;
  jobs: JobsService;
  runner: Runner;
  parts: DatabaseParts;
  repos: Repositories;
  restic: () => Restic;
  storage: StorageMeter;
  /** The target a new backup of this owner's site goes to (null: the platform's). */
  targetFor: (ownerId: string, trx: Knex.Transaction) => Promise<string | null>;
}

export class BackupsService {
  constructor(private readonly deps: BackupsServiceDeps) {}

  /**
   * Queue a backup of `site` (already checked against the caller), counted against its package;
   * refused while the package's backup storage is used up. A scheduled one names its window.
   */
  async create(
    site: SiteRow,
    trigger: 'manual' | 'schedule',
    info: RequestInfo,
    outer?: Knex.Transaction,
    windowStart: Date | null = null,
  ): Promise<BackupRow> {
    const { store, limits, audit, jobs, storage } = this.deps;
    const work = async (trx: Knex.Transaction) => {
      if (!(await store.packageIncludesBackups(site.subscription_id, trx))) throw BackupsErrors.notInPackage();
      const full = await storage.full(site.subscription_id);
      if (full) throw BackupsErrors.storageFull(full.used, full.limit!);
      // In this transaction: a look-up on a connection of its own could wait for the plugin's
      // pool while every connection of it is a parallel request waiting here.
      const targetId = await this.deps.targetFor(site.owner_id, trx);
      await limits.assert(site.subscription_id, 'backups', +1, { trx });
      const [row] = (await store
        .backups(trx)
        .insert({
          website_id: site.id,
          site_name: site.name,
          owner_id: site.owner_id,
          subscription_id: site.subscription_id,
          kind: 'files',
          trigger,
          created_by: info.actorId,
          window_start: windowStart,
          target_id: targetId,
        })
        .returning('*')) as BackupRow[];
      await jobs.enqueue(BACKUP_JOB, { backupId: row!.id }, { trx, jobKey: backupJobKey(row!.id) });
      await audit.record(
        {
          action: 'backups.backup.created',
          actorId: info.actorId,
          target: { type: 'website', id: site.id },
          details: { backupId: row!.id, trigger },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return row!;
    };
    return outer ? work(outer) : store.db.transaction(work);
  }

  /**
   * Back up every live website of a customer (already checked against the caller): one backup
   * per site, each its own snapshot and job, counted against that site's package (decision
   * 0072). One transaction; each site in a savepoint, so a site its package refuses (no
   * backups, count or storage used up) is reported in `skipped` and the others still go. Nothing
   * queued at all: the first refusal (or 409 when the customer has no website) is the answer.
   */
  async createForCustomer(
    customerId: string,
    info: RequestInfo,
  ): Promise<{ items: BackupRow[]; skipped: Array<{ site: SiteRow; code: string; message: string }> }> {
    const { store } = this.deps;
    return store.db.transaction(async (trx) => {
      const sites = await store.sitesOfCustomer(customerId, trx);
      if (sites.length === 0) throw BackupsErrors.nothingToBackUp();
      const items: BackupRow[] = [];
      const skipped: Array<{ site: SiteRow; code: string; message: string; error: unknown }> = [];
      for (const site of sites) {
        try {
          items.push(await trx.transaction((sp) => this.create(site, 'manual', info, sp)));
        } catch (error) {
          const status = (error as { statusCode?: unknown }).statusCode;
          // A refusal of this site only; anything else (the database, a bug) fails the request.
          if (typeof status !== 'number' || status < 400 || status >= 500) throw error;
          const code = String((error as { code?: unknown }).code ?? 'BACKUPS_ERR_REFUSED');
          skipped.push({ site, code, message: (error as Error).message, error });
        }
      }
      if (items.length === 0) throw skipped[0]!.error;
      return { items, skipped: skipped.map(({ site, code, message }) => ({ site, code, message })) };
    });
  }

  /**
   * Cancel a queued or running backup: the row is `cancelled` and its place in the package given
   * back at once; the job that runs it sees the state and stops restic (runner.ts).
   */
  async cancel(id: string, info: RequestInfo): Promise<BackupRow> {
    const { store, limits, audit } = this.deps;
    return store.db.transaction(async (trx) => {
      const row = (await store.backups(trx).where({ id }).forUpdate().first()) as BackupRow | undefined;
      if (!row) throw BackupsErrors.notFound(id);
      if (row.status !== 'queued' && row.status !== 'running') throw BackupsErrors.notCancellable(row.status);
      const [updated] = (await store
        .backups(trx)
        .where({ id })
        .update({ status: 'cancelled', error: 'cancelled', finished_at: trx.fn.now() } as never)
        .returning('*')) as BackupRow[];
      await limits.assert(row.subscription_id, 'backups', -1, { trx });
      await audit.record(
        {
          action: 'backups.backup.cancelled',
          actorId: info.actorId,
          target: { type: 'website', id: row.website_id },
          details: { backupId: id },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return updated!;
    });
  }

  /**
   * Queue a restore of `backup` (already checked against the caller) into `target` (its own
   * site, or another site of the same customer), whole or one path. The path and the snapshot
   * are checked against the repository now, so a bad request is a 4xx, not a failed job.
   */
  async restore(
    actor: Actor,
    backup: BackupRow,
    input: { path?: string; targetWebsiteId?: string; databaseId?: string },
    info: RequestInfo,
  ): Promise<RestoreRow> {
    if (backup.status === 'forgotten' || (backup.status === 'succeeded' && !backup.snapshot_id))
      throw BackupsErrors.snapshotGone();
    if (backup.status !== 'succeeded') throw BackupsErrors.notRestorable(backup.status);
    if (input.databaseId !== undefined) {
      if (input.path !== undefined || input.targetWebsiteId !== undefined) throw BackupsErrors.restoreTargetConflict();
      return this.restoreDatabase(actor, backup, input.databaseId, info);
    }
    return this.restoreFiles(actor, backup, input, info);
  }

  /** One database of the backup back into that database (emptied first); checked now, loaded by a job. */
  private async restoreDatabase(actor: Actor, backup: BackupRow, databaseId: string, info: RequestInfo): Promise<RestoreRow> {
    const { store } = this.deps;
    const site = await store.siteFor(actor, backup.website_id, '/params/id');
    const { part } = await this.deps.parts.restorable(backup, databaseId);
    const repo = await this.deps.repos.forTarget(backup.target_id);
    if ((await this.deps.restic().ls(repo, part.snapshot_id!, '/')) === null) throw BackupsErrors.snapshotGone();
    return this.queueRestore(backup, { website_id: site.id, owner_id: site.owner_id, path: null, database_id: databaseId }, info);
  }

  private async restoreFiles(
    actor: Actor,
    backup: BackupRow,
    input: { path?: string; targetWebsiteId?: string },
    info: RequestInfo,
  ): Promise<RestoreRow> {
    const { store } = this.deps;
    const targetId = input.targetWebsiteId ?? backup.website_id;
    const target = await store.siteFor(actor, targetId, input.targetWebsiteId ? '/body/targetWebsiteId' : '/params/id');
    if (target.owner_id !== backup.owner_id) throw BackupsErrors.otherOwner();
    const files = await this.deps.runner.siteTree(target);
    const snapshotPath = input.path === undefined ? null : snapshotPathOf(input.path, files.exclude);
    const repo = await this.deps.repos.forTarget(backup.target_id);
    const nodes = await this.deps.restic().ls(repo, backup.snapshot_id!, snapshotPath ?? '/');
    if (nodes === null) throw BackupsErrors.snapshotGone();
    if (snapshotPath && !nodes.some((n) => n.path === snapshotPath)) throw BackupsErrors.pathNotInSnapshot(snapshotPath.slice(1));
    return this.queueRestore(
      backup,
      { website_id: target.id, owner_id: target.owner_id, path: snapshotPath ? snapshotPath.slice(1) : null, database_id: null },
      info,
    );
  }

  /** The restore row, its job and its audit entry, in one transaction. */
  private async queueRestore(
    backup: BackupRow,
    what: Pick<RestoreRow, 'website_id' | 'owner_id' | 'path' | 'database_id'>,
    info: RequestInfo,
  ): Promise<RestoreRow> {
    const { store, audit, jobs } = this.deps;
    return store.db.transaction(async (trx) => {
      const [row] = (await store
        .restores(trx)
        .insert({ backup_id: backup.id, ...what, created_by: info.actorId })
        .returning('*')) as RestoreRow[];
      await jobs.enqueue(RESTORE_JOB, { restoreId: row!.id }, { trx, jobKey: restoreJobKey(row!.id) });
      await audit.record(
        {
          action: 'backups.backup.restored',
          actorId: info.actorId,
          target: { type: 'website', id: what.website_id },
          details: { backupId: backup.id, restoreId: row!.id, path: row!.path, databaseId: row!.database_id },
          ip: info.ip ?? null,
          requestId: info.requestId ?? null,
        },
        { trx },
      );
      return row!;
    });
  }
}
