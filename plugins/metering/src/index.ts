/**
 * metering: measured usage per website (disk on a schedule with bounded I/O; traffic from the
 * web server's rotated access logs, counted on the worker pool), stored as history, recorded
 * against each subscription's package with warnings and the configured overage action, and
 * shown to customers as statistics and searchable logs. Wiring only; see services/.
 */
import { coreServices, definePlugin, extensionPoints, type WebServerDriver } from '@hostplane/sdk';
import { accountsSuspensionRef } from '@hostplane/plugin-accounts';
import { websitesThrottleRef } from '@hostplane/plugin-websites';
import { MeteringConfig } from './config.js';
import { MeteringStore } from './store.js';
import { Quotas } from './services/quotas.js';
import { DISK_TASK, DiskMeter } from './services/disk-meter.js';
import { PARSE_TASK, TrafficMeter } from './services/traffic-meter.js';
import { SEARCH_TASK, siteStatsRoutes } from './routes/site-stats.js';
import { meteringRoutes, usageRoutes } from './routes/usage.js';
import { PAGES } from './panel.js';
import { meteringMails } from './services/mail.js';
import './events.js';

export const DISK_JOB = 'measure-disk';
export const TRAFFIC_JOB = 'count-traffic';
export const PRUNE_JOB = 'prune-history';

export default definePlugin({
  id: 'metering',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0', websites: '^0.1.0' },
  config: MeteringConfig,
  mails: meteringMails,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'tasks',
    'limits',
    'users',
    'mailer',
    'events:emit',
    'events:subscribe',
    // Reads the web server's site trees (disk use) and logs, wherever its driver keeps them.
    'fs:/srv/www',
  ],
  // Which sites exist and whose they are (websites); subscriptions' status and customer (accounts).
  database: { reads: { accounts: ['subscriptions', 'packages'], websites: ['websites'] } },
  // Measured, recorded with limits.record, enforced by the before-hooks below.
  limits: ['disk_mb', 'bandwidth_gb'],
  rbac: {
    'metering.stats.read': {
      description: 'See traffic statistics of your websites (or your customers’)',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'metering.logs.read': {
      description: 'Read and search the access and error logs of your websites (or your customers’)',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'metering.usage.read': {
      description: 'See measured usage against packages in your tree',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'metering.metrics.read': { description: 'Scrape per-site traffic metrics (administrators, Prometheus)', roles: [] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    limits: coreServices.limits,
    users: coreServices.users,
    mailer: coreServices.mailer,
    events: coreServices.events,
    jobs: coreServices.jobs,
    tasks: coreServices.tasks,
    extensions: coreServices.extensions,
    clock: coreServices.clock,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, limits, users, mailer, events, tasks, extensions, clock, logger } = ctx.deps;
    const config = () => ctx.config;
    const now = () => clock.now();
    const driver = (): WebServerDriver | undefined => extensions.list(extensionPoints.webServer)[0];
    const store = new MeteringStore(db, tenancy);
    const quotas = new Quotas({
      store,
      limits,
      events,
      mailer,
      users,
      clock,
      logger,
      config,
      suspension: () => ctx.get(accountsSuspensionRef),
      throttle: () => ctx.get(websitesThrottleRef),
    });
    const sources = () => extensions.list(extensionPoints.diskUsage);
    const disk = new DiskMeter({ store, tasks, quotas, clock, logger, config, driver, sources });
    const traffic = new TrafficMeter({ store, tasks, quotas, logger, driver });

    ctx.task(DISK_TASK, new URL('./tasks/disk-usage.js', import.meta.url));
    ctx.task(PARSE_TASK, new URL('./tasks/parse-access-log.js', import.meta.url));
    ctx.task(SEARCH_TASK, new URL('./tasks/search-log.js', import.meta.url));
    ctx.job(DISK_JOB, async () => {
      await disk.measureAll();
    });
    ctx.job(TRAFFIC_JOB, async () => {
      await traffic.collect();
    });
    ctx.job(PRUNE_JOB, async () => {
      await store.prune(new Date(now().getTime() - ctx.config.historyDays * 86_400_000));
    });
    ctx.schedule('disk', { cron: ctx.config.diskSchedule, job: DISK_JOB });
    ctx.schedule('traffic', { cron: ctx.config.trafficSchedule, job: TRAFFIC_JOB });
    ctx.schedule('prune', { cron: '41 3 * * *', job: PRUNE_JOB });

    // A full disk refuses growth: new websites and uploads (a clear 409, the figures in details).
    ctx.before('website.creating', (p) => quotas.assertDiskRoom(p.subscriptionId, 0));
    ctx.before('website.file.writing', (p) => quotas.assertDiskRoom(p.subscriptionId, p.bytes));

    ctx.routes(siteStatsRoutes({ store, tasks, now, config, driver }), { prefix: '/websites' });
    ctx.routes(usageRoutes({ store, limits, now }), { prefix: '/usage' });
    ctx.routes(meteringRoutes({ store, now, config }));
    for (const page of PAGES) ctx.page(page);
  },
});
