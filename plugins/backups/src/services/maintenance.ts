/**
 * What runs on schedules: the backup of every site whose package includes backups, once per
 * window of its package's policy (daily or weekly, at the site's own minute inside the window),
 * the retention that forgets what each package's policy no longer keeps (`forget` per site, then
 * one `prune`), and the weekly `restic check`, whose failure is raised as an event.
 */
import type { ClockService, EventsService, LimitsService, Logger, MailerService, UsersService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { BackupsConfig } from '../config.js';
import { describe, type Restic } from '../restic/restic.js';
import type { BackupRow, BackupStore } from '../store.js';
import type { BackupsService } from './backups-service.js';
import type { Repositories } from './repository.js';
import type { Slots } from './slots.js';
import { policyOf, slotOf, windowAt } from './policy.js';
import { storageFullMail } from './storage-mail.js';
import type { StorageMeter } from './storage.js';

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
  storage: StorageMeter;
  clock: ClockService;
  mailer: MailerService;
  users: UsersService;
}

/** What `restic forget --json` answers: one group per set of snapshots. */
interface ForgetGroup {
  remove: Array<{ id: string }> | null;
}

export class Maintenance {
  constructor(private readonly deps: MaintenanceDeps) {}

  /**
   * Queue a backup of every site that is due: its package includes backups, the clock is inside
   * the current window of its package's policy and past the site's own minute in it, and the site
   * has no backup of this window yet (nor one queued or running: it then waits for the next step).
   * A subscription at its package's `backups` count first forgets its oldest backup, so the
   * schedule keeps going; one whose backup storage is used up is skipped, with an event and a
   * mail to the customer once per site and window.
   */
  async scheduleAll(): Promise<{ queued: number; skipped: number }> {
    const { store, service, logger, clock } = this.deps;
    const config = this.deps.config();
    const now = clock.now();
    let queued = 0;
    let skipped = 0;
    const fullSites = new Map<string, { ownerId: string; used: number; limit: number; sites: string[] }>();
    for (const site of await store.sitesWithBackups()) {
      const window = windowAt(now, policyOf(site.features, config));
      if (!window || slotOf(site.id, window, config.tickMinutes).getTime() > now.getTime()) continue;
      const done = await store.backups().where({ website_id: site.id, window_start: window.start }).first('id');
      if (done) continue;
      if (await store.scheduleSkips().where({ website_id: site.id, window_start: window.start }).first('website_id')) continue;
      const busy = await store.backups().where({ website_id: site.id }).whereIn('status', ['queued', 'running']).first('id');
      if (busy) {
        skipped += 1;
        continue;
      }
      const full = await this.deps.storage.full(site.subscription_id);
      if (full) {
        skipped += 1;
        await this.skipFull(site, window.start, full.used, full.limit!, fullSites);
        continue;
      }
      try {
        // One transaction: when another scheduler run queued this window first (the unique
        // window_start), the oldest backup it would have forgotten stays kept.
        await store.db.transaction(async (trx) => {
          await this.makeRoom(site.subscription_id, trx);
          await service.create(site, 'schedule', { actorId: null }, trx, window.start);
        });
        queued += 1;
      } catch (err) {
        skipped += 1;
        logger.warn({ websiteId: site.id, err: (err as Error).message }, 'scheduled backup not queued');
      }
    }
    await this.mailFull(fullSites);
    // Skips are looked up only for the current window: a week's are enough.
    await store
      .scheduleSkips()
      .where('window_start', '<', new Date(now.getTime() - 8 * 86_400_000))
      .delete();
    return { queued, skipped };
  }

  /** Remember the skipped window (once), raise `backup.skipped`, and gather the site for its customer's mail. */
  private async skipFull(
    site: { id: string; name: string; owner_id: string; subscription_id: string },
    windowStart: Date,
    used: number,
    limit: number,
    fullSites: Map<string, { ownerId: string; used: number; limit: number; sites: string[] }>,
  ): Promise<void> {
    const inserted = await this.deps.store
      .scheduleSkips()
      .insert({ website_id: site.id, window_start: windowStart, reason: 'storage_full' } as never)
      .onConflict(['website_id', 'window_start'])
      .ignore()
      .returning('website_id');
    if (inserted.length === 0) return;
    this.deps.logger.warn({ websiteId: site.id, used, limit }, 'scheduled backup skipped: backup storage used up');
    await this.deps.events.emit('backup.skipped', {
      websiteId: site.id,
      ownerId: site.owner_id,
      subscriptionId: site.subscription_id,
      reason: 'storage_full',
      usedMb: used,
      limitMb: limit,
    });
    const entry = fullSites.get(site.subscription_id) ?? { ownerId: site.owner_id, used, limit, sites: [] };
    entry.sites.push(site.name);
    fullSites.set(site.subscription_id, entry);
  }

  /** One mail per subscription whose sites were skipped in this run. */
  private async mailFull(fullSites: Map<string, { ownerId: string; used: number; limit: number; sites: string[] }>) {
    for (const [subscriptionId, entry] of fullSites) {
      try {
        const customer = await this.deps.users.get(entry.ownerId);
        if (!customer?.email) continue;
        await this.deps.mailer.send(storageFullMail({ to: customer.email, ...entry }));
      } catch (err) {
        this.deps.logger.warn({ subscriptionId, err: (err as Error).message }, 'backup storage mail not sent');
      }
    }
  }

  /**
   * Make room in a subscription at its package's count: its oldest kept backup becomes
   * `forgotten` (restores answer 410 from now on) and gives its place back; the snapshot itself
   * goes at the next retention run, which holds restic's exclusive lock (a `forget` now would
   * fail against the backups this very run is starting).
   */
  private async makeRoom(subscriptionId: string, trx: Knex.Transaction): Promise<void> {
    const line = (await this.deps.limits.usage(subscriptionId)).find((l) => l.resource === 'backups');
    if (!line || line.limit === null || line.limit === 0 || line.used < line.limit) return;
    const oldest = (await this.deps.store
      .backups(trx)
      .where({ subscription_id: subscriptionId, status: 'succeeded' })
      .orderBy('created_at')
      .first()) as BackupRow | undefined;
    if (oldest) await this.markForgotten([oldest], trx);
  }

  /** Rows whose snapshots are gone: `forgotten`, and their place in the package given back. */
  private async markForgotten(rows: BackupRow[], outer?: Knex.Transaction): Promise<void> {
    const forget = async (row: BackupRow, trx: Knex.Transaction) => {
      const updated = await this.deps.store
        .backups(trx)
        .where({ id: row.id, status: 'succeeded' })
        .update({ status: 'forgotten' } as never);
      if (updated) await this.deps.limits.assert(row.subscription_id, 'backups', -1, { trx });
    };
    for (const row of rows) {
      if (outer) await forget(row, outer);
      else await this.deps.store.db.transaction((trx) => forget(row, trx));
    }
  }

  /**
   * The retention policy of each site's package (its `backup_keep_*`, else the config's), per
   * site (`forget --tag site:<id> --keep-…`; all 0 keeps everything), then one `prune` that frees
   * the data nothing references, then the storage of every subscription that lost a backup is
   * measured again. Returns how many backups were forgotten.
   */
  async applyRetention(): Promise<number> {
    const release = this.deps.slots.tryTake();
    if (!release) throw new Error('every backup slot is busy; retention runs at its next attempt');
    const touched = new Set<string>();
    try {
      let forgotten = 0;
      // The platform's repository, then each reseller's (decision 0077).
      const targets = await this.targets();
      for (const target of targets) {
        // One reseller's unreachable storage does not hold back everyone else's retention.
        if (target === null) forgotten += await this.retainIn(target, touched);
        else
          forgotten += await this.retainIn(target, touched).catch((err: unknown) => {
            this.deps.logger.warn({ target, err: (err as Error).message }, 'retention skipped for a reseller target');
            return 0;
          });
      }
      for (const subscriptionId of touched) await this.deps.storage.measureQuietly(subscriptionId);
      this.deps.logger.info({ forgotten, repositories: targets.length }, 'backup retention applied');
      return forgotten;
    } finally {
      release();
    }
  }

  /** The platform's target (null) and every reseller's. */
  private async targets(): Promise<Array<string | null>> {
    const rows = (await this.deps.store.db.table('targets').select('id').orderBy('id')) as Array<{ id: string }>;
    return [null, ...rows.map((r) => r.id)];
  }

  /** Retention in one target's repository: its backups' sites, then what was forgotten, then a prune. */
  private async retainIn(target: string | null, touched: Set<string>): Promise<number> {
    const config = this.deps.config();
    {
      const repo = await this.deps.repos.forTarget(target);
      const restic = this.deps.restic();
      await restic.unlockStale(repo);
      let forgotten = 0;
      let removed = 0;
      const ofTarget = this.deps.store.backups().where({ status: 'succeeded' });
      if (target) ofTarget.where({ target_id: target });
      else ofTarget.whereNull('target_id');
      const sites = (await ofTarget.distinct('website_id', 'subscription_id')) as Array<{
        website_id: string;
        subscription_id: string;
      }>;
      const features = await this.deps.store.featuresOf([...new Set(sites.map((s) => s.subscription_id))]);
      for (const { website_id, subscription_id } of sites) {
        const { keepDaily, keepWeekly, keepMonthly } = policyOf(features.get(subscription_id), config);
        if (keepDaily + keepWeekly + keepMonthly === 0) continue;
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
        touched.add(subscription_id);
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
        .concat(await this.platformSnapshotsOfForgotten())
        .filter((id) => listed.has(id));
      for (let i = 0; i < pending.length; i += 100) await restic.ok(repo, ['forget', ...pending.slice(i, i + 100)]);
      removed += pending.length;
      if (removed > 0) await restic.ok(repo, ['prune']);
      return forgotten;
    }
  }

  /** Both snapshots of the platform backups past `platform.keep` (platform.ts marks them). */
  private async platformSnapshotsOfForgotten(): Promise<string[]> {
    const rows = (await this.deps.store.db
      .table('platform_backups')
      .where({ status: 'forgotten' })
      .select('database_snapshot_id', 'files_snapshot_id')) as Array<{
      database_snapshot_id: string | null;
      files_snapshot_id: string | null;
    }>;
    return rows.flatMap((r) => [r.database_snapshot_id, r.files_snapshot_id]).filter((id): id is string => !!id);
  }

  /** Database snapshots of forgotten backups (they go with the backup's files). */
  private async databaseSnapshotsOfForgotten(): Promise<string[]> {
    const rows = (await this.deps.store
      .databaseParts()
      // The plugin's query builder already names its schema (withSchema), joins included.
      .join('backups as b', 'b.id', 'backup_databases.backup_id')
      .where('b.status', 'forgotten')
      .whereNotNull('backup_databases.snapshot_id')
      .select('backup_databases.snapshot_id')) as Array<{ snapshot_id: string }>;
    return rows.map((r) => r.snapshot_id);
  }

  /** `restic check`; a failure is logged and raised as `backup.repository.check-failed`. */
  async check(): Promise<boolean> {
    let ok = true;
    for (const target of await this.targets()) {
      const passed = await this.checkOne(target).catch(async (err: unknown) => {
        const error = (err as Error).message;
        this.deps.logger.error({ target, error }, 'backup repository could not be checked');
        await this.deps.events.emit('backup.repository.check-failed', { repository: target ?? 'platform', error });
        return false;
      });
      ok = passed && ok;
    }
    return ok;
  }

  private async checkOne(target: string | null): Promise<boolean> {
    const repo = await this.deps.repos.forTarget(target);
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
