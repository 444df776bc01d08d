/**
 * cron-jobs: scheduled commands of each website, within the package's `cron_jobs` limit, run
 * as the site's system user (never root) by durable jobs, with the last run's time, exit code
 * and output kept. Why durable jobs and our own dispatcher rather than crontab: decision 0041.
 * Wiring only; see services/.
 */
import { coreServices, definePlugin, extensionPoints, type WebServerDriver } from '@hostplane/sdk';
import { dispatchCommand, listCommand } from './commands.js';
import { CronJobsConfig } from './config.js';
import { cronRoutes } from './routes.js';
import { CronService, RUN_JOB } from './services/cron-service.js';
import { DISPATCH_JOB, Runner, type RunPayload } from './services/runner.js';
import { CronStore } from './store.js';
import type {} from '@hostplane/plugin-websites';

export { CronJobsConfig } from './config.js';
export { nextRun, parseSchedule, ScheduleError } from './schedule.js';

const FORGET_JOB = 'forget-deleted-sites';

export default definePlugin({
  id: 'cron-jobs',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0', websites: '^0.1.0' },
  config: CronJobsConfig,
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'limits', 'audit', 'events:subscribe', 'exec:sh'],
  // Which sites exist, whose they are, under which subscription and whether they are live.
  database: { reads: { websites: ['websites'] } },
  // Each cron job counts against the package's `cron_jobs`.
  limits: ['cron_jobs'],
  rbac: {
    'cron.job.read': {
      description: 'See the cron jobs of your websites (or your customers’) and their last runs',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'cron.job.write': { description: 'Add, change, run and delete cron jobs of your websites', roles: ['reseller', 'customer'] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    limits: coreServices.limits,
    audit: coreServices.audit,
    jobs: coreServices.jobs,
    extensions: coreServices.extensions,
    clock: coreServices.clock,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, limits, audit, jobs, extensions, clock, logger } = ctx.deps;
    const config = () => ctx.config;
    const now = () => clock.now();
    const store = new CronStore(db, tenancy);
    const service = new CronService({ store, limits, audit, jobs, config, now });
    const runner = new Runner({
      store,
      jobs,
      drivers: (): WebServerDriver[] => extensions.list(extensionPoints.webServer),
      config,
      now,
      logger,
    });

    ctx.routes(cronRoutes({ store, service }), { prefix: '/websites' });
    ctx.job(DISPATCH_JOB, async () => {
      const queued = await runner.dispatch();
      if (queued > 0) logger.debug({ queued }, 'cron jobs dispatched');
    });
    // Once: a command is never repeated behind the customer's back (the next tick runs it again).
    ctx.job<RunPayload>(
      RUN_JOB,
      async (payload) => {
        await runner.run(payload);
      },
      { maxAttempts: 1 },
    );
    ctx.job(FORGET_JOB, async () => {
      const n = await service.forgetDeletedSites();
      if (n > 0) logger.info({ deleted: n }, 'cron jobs of deleted websites deleted');
    });
    ctx.schedule('dispatch', { cron: '* * * * *', job: DISPATCH_JOB });
    ctx.schedule('forget', { cron: '17 * * * *', job: FORGET_JOB });
    ctx.on('website.deleted', async () => {
      await jobs.enqueue(FORGET_JOB, {}, { jobKey: FORGET_JOB });
    });
    ctx.command(listCommand({ store, jobs }));
    ctx.command(dispatchCommand({ store, jobs }));
  },
});
