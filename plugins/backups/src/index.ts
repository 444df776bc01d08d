/**
 * backups: restic snapshots of every site's files, as durable jobs, and restores of a site, a
 * path, or into another site of the same customer. Wiring only; see services/.
 */
import {
  coreServices,
  definePlugin,
  extensionPoints,
  type Actor,
  type DatabaseServer,
  type SiteDatabases,
  type WebServerDriver,
} from '@hostplane/sdk';
import {
  createCommand,
  keyExportCommand,
  keyImportCommand,
  listCommand,
  platformCommand,
  recoveryKeyCommand,
} from './commands.js';
import { platformRoutes } from './platform-routes.js';
import { PLATFORM_JOB, PLATFORM_SCHEDULE_JOB, PlatformBackups } from './services/platform.js';
import { BackupsConfig } from './config.js';
import { Restic } from './restic/restic.js';
import { backupRoutes } from './routes.js';
import { BackupsService } from './services/backups-service.js';
import { DatabaseParts } from './services/database-parts.js';
import { Repositories } from './services/repository.js';
import { targetStatus } from './services/targets.js';
import { ResellerTargets } from './services/reseller-targets.js';
import { resellerTargetRoutes } from './target-routes.js';
import { BACKUP_JOB, RESTORE_JOB, Runner } from './services/runner.js';
import { Slots } from './services/slots.js';
import { CHECK_JOB, Maintenance, RETENTION_JOB, SCHEDULE_JOB } from './services/maintenance.js';
import { tickCron } from './services/policy.js';
import { StorageMeter } from './services/storage.js';
import { BackupStore } from './store.js';
import { PAGES } from './panel.js';
import { backupsMails } from './services/mails.js';
import './events.js';

export default definePlugin({
  id: 'backups',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0', websites: '^0.1.0' },
  config: BackupsConfig,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'limits',
    'audit',
    'events:emit',
    'secrets',
    'exec:restic',
    // The SFTP target: restic runs ssh; ssh-keygen makes the plugin's key and reads public halves.
    'exec:ssh',
    'exec:ssh-keygen',
    'users',
    'mailer',
    // The control plane's own backup: pg_dump of the whole database and its secret key file.
    'platform:dump',
  ],
  // Which sites exist and whose they are (websites), and whether their package includes backups (accounts).
  database: { reads: { accounts: ['subscriptions', 'packages'], websites: ['websites'] } },
  // Each backup kept counts against the package's `backups`; what they store, against `backup_storage_mb`.
  limits: ['backups', 'backup_storage_mb'],
  mails: backupsMails,
  rbac: {
    'backups.backup.read': {
      description: 'See backups of your websites (or your customers’)',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'backups.backup.write': { description: 'Back up websites on demand', roles: ['reseller', 'customer'] },
    'backups.target.read': { description: 'See where backups are stored (administrators)', roles: [] },
    'backups.target.own': {
      description: 'See and set the backup storage of your own tree (resellers; administrators for any reseller)',
      roles: ['reseller'],
    },
    'backups.backup.restore': { description: 'Restore websites from their backups', roles: ['reseller', 'customer'] },
    'backups.platform.manage': {
      description: 'Back the platform itself up and see those backups (administrators)',
      roles: [],
    },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    limits: coreServices.limits,
    audit: coreServices.audit,
    events: coreServices.events,
    jobs: coreServices.jobs,
    secrets: coreServices.secrets,
    extensions: coreServices.extensions,
    clock: coreServices.clock,
    logger: coreServices.logger,
    users: coreServices.users,
    mailer: coreServices.mailer,
    platformState: coreServices.platformState,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, limits, audit, events, jobs, secrets, extensions, clock, logger, users, mailer, platformState } =
      ctx.deps;
    const config = () => ctx.config;
    const restic = () =>
      new Restic({
        binary: ctx.config.resticBinary,
        cacheDir: Repositories.cacheDir(ctx.config),
        limitUploadKiB: ctx.config.limitUploadKiB,
        limitDownloadKiB: ctx.config.limitDownloadKiB,
      });
    const drivers = (): WebServerDriver[] => extensions.list(extensionPoints.webServer);
    const store = new BackupStore(db, tenancy);
    const resellerTargets = new ResellerTargets({ store, secrets, users, config });
    const repos = new Repositories({ secrets, restic, config, resellerTarget: (id) => resellerTargets.targetToUse(id) });
    const slots = new Slots(() => ctx.config.concurrency);
    // A site's databases, when the databases plugin and its drivers are enabled (looked up at each use).
    const parts = new DatabaseParts({
      store,
      restic,
      logger,
      siteDatabases: (): SiteDatabases[] => extensions.list(extensionPoints.siteDatabases),
      servers: (): DatabaseServer[] => extensions.list(extensionPoints.databaseServer),
    });
    const storage = new StorageMeter({ store, repos, restic, limits, logger });
    const runner = new Runner({
      store,
      repos,
      restic,
      slots,
      jobs,
      limits,
      events,
      clock,
      logger,
      drivers,
      parts,
      storage,
      mailer,
      users,
    });
    const service = new BackupsService({
      store,
      limits,
      audit,
      jobs,
      runner,
      parts,
      repos,
      restic,
      storage,
      targetFor: (ownerId, trx) => resellerTargets.forOwner(ownerId, trx),
    });

    const maintenance = new Maintenance({
      store,
      service,
      repos,
      restic,
      limits,
      events,
      slots,
      logger,
      config,
      storage,
      clock,
      mailer,
      users,
    });

    const customers = {
      // A customer the caller may see: itself, one of its tree, any for an admin; anyone else reads as missing.
      visible: async (actor: Actor, id: string) =>
        (await tenancy.canAccessUser(actor, id)) && (await users.get(id))?.role === 'customer',
    };
    const platform = new PlatformBackups({
      db,
      jobs,
      audit,
      events,
      clock,
      logger,
      repos,
      restic,
      slots,
      state: () => platformState,
      config,
    });
    const siteRoutes = backupRoutes({ store, service, targets: () => targetStatus(ctx.config, repos, restic), customers });
    ctx.routes((app) => {
      platformRoutes(platform)(app);
      resellerTargetRoutes({ targets: resellerTargets, repos, restic, users, audit })(app);
      siteRoutes(app);
    });
    ctx.job<{ platformBackupId: string }>(PLATFORM_JOB, (payload, job) => platform.run(payload.platformBackupId, job), {
      maxAttempts: 3,
    });
    // The platform itself, on the admins' schedule (empty: on demand only).
    if (ctx.config.platform.schedule) {
      ctx.job(PLATFORM_SCHEDULE_JOB, async () => {
        const row = await platform.create('schedule', { actorId: null });
        logger.info({ platformBackupId: row.id }, 'scheduled platform backup queued');
      });
      ctx.schedule('platform', { cron: ctx.config.platform.schedule, job: PLATFORM_SCHEDULE_JOB });
    }
    ctx.job(SCHEDULE_JOB, async () => {
      const { queued, skipped } = await maintenance.scheduleAll();
      logger.info({ queued, skipped }, 'scheduled backups queued');
    });
    ctx.job(RETENTION_JOB, async () => {
      await maintenance.applyRetention();
    });
    ctx.job(CHECK_JOB, async () => {
      await maintenance.check();
    });
    // Every step the scheduler starts the sites that are due (each package's window; see policy.ts).
    ctx.schedule('backups', { cron: tickCron(ctx.config.tickMinutes), job: SCHEDULE_JOB });
    ctx.schedule('retention', { cron: ctx.config.retentionSchedule, job: RETENTION_JOB });
    ctx.schedule('check', { cron: ctx.config.checkSchedule, job: CHECK_JOB });
    ctx.job<{ backupId: string }>(BACKUP_JOB, (payload, job) => runner.backup(payload.backupId, job), { maxAttempts: 3 });
    ctx.job<{ restoreId: string }>(RESTORE_JOB, (payload, job) => runner.restore(payload.restoreId, job), { maxAttempts: 3 });
    const deps = { repos, restic, store, service };
    ctx.command(keyExportCommand(deps));
    ctx.command(recoveryKeyCommand(deps));
    ctx.command(keyImportCommand({ ...deps, secrets }));
    ctx.command(listCommand(deps));
    ctx.command(createCommand(deps));
    ctx.command(platformCommand({ platform }));
    for (const page of PAGES) ctx.page(page);
  },
});
