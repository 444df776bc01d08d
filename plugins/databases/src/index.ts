/**
 * databases: customers' databases and their users. Desired state lives in PostgreSQL; the
 * servers are whatever plugins implement the `database-server` extension point (MariaDB,
 * PostgreSQL), looked up at each use.
 */
import { AdminerLogins } from './adminer.js';
import { coreServices, definePlugin, extensionPoints, type DatabaseServer } from '@hostplane/sdk';
import { databaseCommands } from './commands.js';
import { DatabasesConfig } from './config.js';
import { DatabasesService } from './databases-service.js';
import { databaseRoutes } from './routes.js';
import { DatabaseStore } from './store.js';
import { PAGES } from './panel.js';

export { DatabasesService, type IssuedCredentials } from './databases-service.js';
export { DatabasesConfig } from './config.js';

const MEASURE_JOB = 'measure';
const ADMINER_SWEEP_JOB = 'adminer-sweep';

export default definePlugin({
  id: 'databases',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0' },
  provides: ['site-databases', 'disk-usage'],
  config: DatabasesConfig,
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'limits', 'audit', 'users'],
  database: { reads: { accounts: ['subscriptions', 'packages'] } },
  // Each create asserts one database against the subscription, inside its transaction.
  limits: ['databases'],
  rbac: {
    'databases.database.read': {
      description: 'See databases in your subtree',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'databases.database.write': { description: 'Create and delete databases and their users', roles: ['reseller', 'customer'] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    users: coreServices.users,
    limits: coreServices.limits,
    audit: coreServices.audit,
    extensions: coreServices.extensions,
    logger: coreServices.logger,
    clock: coreServices.clock,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, users, limits, audit, extensions, logger, clock } = ctx.deps;
    const servers = (): DatabaseServer[] => extensions.list(extensionPoints.databaseServer);
    const store = new DatabaseStore(db, tenancy);
    const service = new DatabasesService({ store, limits, audit, tenancy, users, config: () => ctx.config, servers, logger });
    const adminer = new AdminerLogins({ store, service, audit, config: () => ctx.config, clock, logger });
    service.beforeRemove = (row, trx) => adminer.endAllOf(row, trx);
    ctx.routes(databaseRoutes({ store, service, servers, adminer }), { prefix: '/databases' });
    // Unused Adminer tokens go at once after they expire; temporary users after a session's length.
    ctx.job(ADMINER_SWEEP_JOB, async () => {
      await adminer.sweep();
    });
    ctx.schedule('adminer-sweep', { cron: '* * * * *', job: ADMINER_SWEEP_JOB });
    ctx.job(MEASURE_JOB, async () => {
      await service.measureAll();
    });
    ctx.schedule('measure', { cron: ctx.config.measureCron, job: MEASURE_JOB });
    for (const command of databaseCommands(store, service)) ctx.command(command);
    for (const page of PAGES) ctx.page(page);
    // Websites find this at each use: a WordPress site gets its own database when we are enabled.
    ctx.extend(extensionPoints.siteDatabases, {
      issueForSite: (site) => service.issueForSite(site),
      removeForSite: (siteId) => service.removeForSite(siteId),
      listDatabases: (filter) => service.listDatabases(filter),
    });
    // The usage metering plugin counts databases' sizes (measured by the schedule above) in disk_mb.
    ctx.extend(extensionPoints.diskUsage, { kind: 'databases', bytesBySubscription: () => store.sizesBySubscription() });
  },
});
