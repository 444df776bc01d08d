/**
 * What runs on schedules: the nightly backup of every site whose package includes backups, the
 * retention that forgets what the policy no longer keeps (`forget` per site, then one `prune`),
 * and the weekly `restic check`, whose failure is raised as an event.
 */
import type { EventsService, LimitsService, Logger } from '@hostplane/sdk';
import type { BackupsConfig } from '../config.js';
import { describe, type Restic } from '../restic/restic.js';
import type { BackupRow, BackupStore } from '../store.js';
import type { BackupsService } from './backups-service.js';
import type { Repositories } from './repository.js';
import type { Slots } from './slots.js';

export const SCHEDULE_JOB = 'schedule-backups';
export const RETENTION_JOB = 'apply-retention';
export const CHECK_JOB = 'check-repository';

export interface MaintenanceDeps {
  store: BackupStore;
  service: BackupsService;
  repos: Repositories;
  restic: () => Restic;
  limits: LimitsService;
  events: EventsService;
  slots: Slots;
  logger: Logger;
  config: () => BackupsConfig;
}

/** What `restic forget --json` answers: one group per set of snapshots. */
interface ForgetGroup {
  remove: Array<{ id: string }> | null;
}

export class Maintenance {
  constructor(private readonly deps: MaintenanceDeps) {}

  /**
   * Queue a backup of every site whose package includes backups, unless one is already queued or
   * running. A subscription at its package's `backups` count first forgets its oldest backup, so
   * the nightly run keeps going; a count of 0 means no backups at all.
   */
  async scheduleAll(): Promise<{ queued: number; skipped: number }> {
    const { store, service, logger } = this.deps;
    let queued = 0;
    let skipped = 0;
    for (const site of await store.sitesWithBackups()) {
      const busy = await store.backups().where({ website_id: site.id }).whereIn('status', ['queued', 'running']).first('id');
      if (busy) {
        skipped += 1;
        continue;
      }
      try {
        await this.makeRoom(site.subscription_id);
        await service.create(site, 'schedule', { actorId: null });
        queued += 1;
      } catch (err) {
        skipped += 1;
        logger.warn({ websiteId: site.id, err: (err as Error).message }, 'scheduled backup not queued');
      }
    }
    return { queued, skipped };
  }

  /**
   * Make room in a subscription at its package's count: its oldest kept backup becomes
   * `forgotten` (restores answer 410 from now on) and gives its place back; the snapshot itself
   * goes at the next retention run, which holds restic's exclusive lock (a `forget` now would
   * fail against the backups this very run is starting).
   */
  private async makeRoom(subscriptionId: string): Promise<void> {
    const line = (await this.deps.limits.usage(subscriptionId)).find((l) => l.resource === 'backups');
    if (!line || line.limit === null || line.limit === 0 || line.used < line.limit) return;
    const oldest = (await this.deps.store
      .backups()
      .where({ subscription_id: subscriptionId, status: 'succeeded' })
      .orderBy('created_at')
      .first()) as BackupRow | undefined;
    if (oldest) await this.markForgotten([oldest]);
  }

  /** Rows whose snapshots are gone: `forgotten`, and their place in the package given back. */
  private async markForgotten(rows: BackupRow[]): Promise<void> {
    for (const row of rows) {
      await this.deps.store.db.transaction(async (trx) => {
        const updated = await this.deps.store
          .backups(trx)
          .where({ id: row.id, status: 'succeeded' })
          .update({ status: 'forgotten' } as never);
        if (updated) await this.deps.limits.assert(row.subscription_id, 'backups', -1, { trx });
      });
    }
  }

  /**
   * The retention policy of the config, per site (`forget --tag site:<id> --keep-…`), then one
   * `prune` that frees the data nothing references. Returns how many backups were forgotten.
   */
  async applyRetention(): Promise<number> {
    const { keepDaily, keepWeekly, keepMonthly } = this.deps.config().retention;
    const release = this.deps.slots.tryTake();
    if (!release) throw new Error('every backup slot is busy; retention runs at its next attempt');
    try {
      const repo = await this.deps.repos.local();
      const restic = this.deps.restic();
      await restic.unlockStale(repo);
      let forgotten = 0;
      let removed = 0;
      if (keepDaily + keepWeekly + keepMonthly > 0) {
        const sites = (await this.deps.store.backups().where({ status: 'succeeded' }).distinct('website_id')) as Array<{
          website_id: string;
        }>;
        for (const { website_id } of sites) {
          // The files' snapshots decide; a backup's database snapshots follow it (below).
          const args = ['forget', '--json', '--tag', `site:${website_id},kind:files`];
          if (keepDaily) args.push('--keep-daily', String(keepDaily));
          if (keepWeekly) args.push('--keep-weekly', String(keepWeekly));
          if (keepMonthly) args.push('--keep-monthly', String(keepMonthly));
          const groups = JSON.parse((await restic.ok(repo, args)) || '[]') as ForgetGroup[];
          const ids = groups.flatMap((g) => (g.remove ?? []).map((s) => s.id));
          if (ids.length === 0) continue;
          removed += ids.length;
          const rows = (await this.deps.store.backups().whereIn('snapshot_id', ids)) as BackupRow[];
          await this.markForgotten(rows);
          forgotten += rows.length;
        }
      }
      // Backups forgotten to make room (or by an admin) whose snapshots are still listed.
      const listed = new Set((await restic.snapshots(repo)).map((s) => s.id));
      const pending = (
        (await this.deps.store
          .backups()
          .where({ status: 'forgotten' })
          .whereNotNull('snapshot_id')
          .select('snapshot_id')) as Array<{
          snapshot_id: string;
        }>
      )
        .map((r) => r.snapshot_id)
        .concat(await this.databaseSnapshotsOfForgotten())
        .filter((id) => listed.has(id));
      for (let i = 0; i < pending.length; i += 100) await restic.ok(repo, ['forget', ...pending.slice(i, i + 100)]);
      removed += pending.length;
      if (removed > 0) await restic.ok(repo, ['prune']);
      return forgotten;
    } finally {
      release();
    }
  }

  /** Database snapshots of forgotten backups (they go with the backup's files). */
  private async databaseSnapshotsOfForgotten(): Promise<string[]> {
    const rows = (await this.deps.store
      .databaseParts()
      .join(`${this.deps.store.db.schema}.backups as b`, 'b.id', 'backup_databases.backup_id')
      .where('b.status', 'forgotten')
      .whereNotNull('backup_databases.snapshot_id')
      .select('backup_databases.snapshot_id')) as Array<{ snapshot_id: string }>;
    return rows.map((r) => r.snapshot_id);
  }

  /** `restic check`; a failure is logged and raised as `backup.repository.check-failed`. */
  async check(): Promise<boolean> {
    const repo = await this.deps.repos.local();
    const restic = this.deps.restic();
    await restic.unlockStale(repo).catch(() => undefined);
    const r = await restic.run(repo, ['check']);
    if (r.code === 0) {
      this.deps.logger.info({ repository: repo.location }, 'backup repository checked: no errors');
      return true;
    }
    const error = describe(r);
    this.deps.logger.error({ repository: repo.location, error }, 'backup repository check failed');
    await this.deps.events.emit('backup.repository.check-failed', { repository: repo.location, error });
    return false;
  }
}
