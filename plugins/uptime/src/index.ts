/**
 * uptime: each monitored address of a website fetched on a schedule (durable jobs dispatched
 * every minute, shared by every host), its daily uptime and response time kept, outages
 * recorded, and the owner mailed when it goes down and when it is back. Wiring only.
 */
import { coreServices, definePlugin } from '@hostplane/sdk';
import { UptimeConfig } from './config.js';
import { uptimeMails } from './mails.js';
import { PAGES } from './panel.js';
import { uptimeRoutes } from './routes.js';
import { Checker } from './services/checker.js';
import { ChecksService } from './services/checks-service.js';
import { UptimeStore } from './store.js';
import './events.js';
import type {} from '@hostplane/plugin-websites';

export { UptimeConfig } from './config.js';
export { probe, type ProbeResult, type ProbeTarget } from './services/probe.js';

const DISPATCH_JOB = 'dispatch';
const PRUNE_JOB = 'prune';
const FORGET_JOB = 'forget-deleted-sites';

export default definePlugin({
  id: 'uptime',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0', websites: '^0.1.0' },
  config: UptimeConfig,
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'audit', 'mailer', 'users', 'events:emit', 'events:subscribe'],
  // Which sites exist, whose they are, their domain and whether they are live.
  database: { reads: { websites: ['websites'] } },
  mails: uptimeMails,
  rbac: {
    'uptime.check.read': {
      description: 'See the uptime checks of your websites (or your customers’) and their history',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'uptime.check.write': {
      description: 'Add, change, run and remove uptime checks of your websites',
      roles: ['reseller', 'customer'],
    },
    'uptime.metrics.read': { description: 'Scrape the uptime metrics (administrators, Prometheus)', roles: [] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    audit: coreServices.audit,
    jobs: coreServices.jobs,
    events: coreServices.events,
    mailer: coreServices.mailer,
    users: coreServices.users,
    clock: coreServices.clock,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, audit, jobs, events, mailer, users, clock, logger } = ctx.deps;
    const config = () => ctx.config;
    const store = new UptimeStore(db, tenancy);
    const checker = new Checker({ db, events, mailer, users, clock, logger, config });
    const service = new ChecksService({ db, store, audit, clock, config });
    const now = () => clock.now();
    const today = () => now().toISOString().slice(0, 10);

    ctx.routes(uptimeRoutes({ store, service, checker, today, now }), { prefix: '/uptime' });
    for (const page of PAGES) ctx.page(page);

    // Once per tick: a check missed while no host ran is made at the next tick, not repeated.
    ctx.job(
      DISPATCH_JOB,
      async () => {
        const checked = await checker.dispatch();
        if (checked > 0) logger.debug({ checked }, 'uptime checks made');
      },
      { maxAttempts: 1 },
    );
    ctx.job(PRUNE_JOB, async () => {
      const removed = await checker.prune();
      if (removed > 0) logger.info({ removed }, 'old uptime figures removed');
    });
    ctx.job(FORGET_JOB, async () => {
      const n = await checker.forgetDeletedSites();
      if (n > 0) logger.info({ deleted: n }, 'uptime checks of deleted websites deleted');
    });
    ctx.schedule('dispatch', { cron: '* * * * *', job: DISPATCH_JOB });
    ctx.schedule('prune', { cron: '23 4 * * *', job: PRUNE_JOB });
    ctx.on('website.deleted', async () => {
      await jobs.enqueue(FORGET_JOB, {}, { jobKey: FORGET_JOB });
    });
  },
});
