/**
 * websites: the website resource. Desired state lives in PostgreSQL; the reconciler job makes
 * the web server (any plugin implementing the `webserver` extension point) match it.
 */
import { coreServices, definePlugin, extensionPoints, type WebServerDriver } from '@hostplane/sdk';
import { WebsitesConfig } from './config.js';
import { Reconciler } from './reconciler.js';
import { websiteRoutes } from './routes.js';
import { fileRoutes } from './file-routes.js';
import { WebsiteStore } from './store.js';
import { reconcileCommand } from './reconcile-command.js';
import { followAccounts } from './follow-accounts.js';
import { enqueueReconcile, RECONCILE_JOB, WebsitesService } from './websites-service.js';
import { phpSettingsRoutes } from './php-settings.js';
import { PAGES } from './panel.js';
import { createWebsitesThrottleService, websitesThrottleRef } from './throttle-service.js';
import './events.js';

export { websitesThrottleRef, type WebsitesThrottleService } from './throttle-service.js';

export default definePlugin({
  id: 'websites',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0' },
  config: WebsitesConfig,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'limits',
    'audit',
    // The suspension-levels migration reads who suspended a site from the audit log.
    'audit:read',
    'users',
    'events:emit',
    'events:subscribe',
  ],
  // A site follows its subscription's status and its package's limits (store.ts). The backups
  // plugin reads which sites exist, who owns them and their subscription (read-only).
  database: { reads: { accounts: ['subscriptions', 'packages'] }, shares: ['websites', 'website_domains'] },
  // Each create asserts one website and its domains (aliases included) against the subscription.
  limits: ['websites', 'domains'],
  rbac: {
    'websites.site.read': { description: 'See websites in your subtree', roles: ['reseller', 'customer', 'technical_user'] },
    'websites.site.write': { description: 'Create, change and delete websites', roles: ['reseller', 'customer'] },
    'websites.site.suspend': { description: 'Suspend and unsuspend websites of your customers', roles: ['reseller'] },
    'websites.site.advanced': { description: 'Add raw NGINX directives to a website (administrators)', roles: [] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    users: coreServices.users,
    limits: coreServices.limits,
    audit: coreServices.audit,
    events: coreServices.events,
    jobs: coreServices.jobs,
    extensions: coreServices.extensions,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, users, limits, audit, events, jobs, extensions, logger } = ctx.deps;
    const config = () => ctx.config;
    const drivers = (): WebServerDriver[] => extensions.list(extensionPoints.webServer);
    const store = new WebsiteStore(db, tenancy);
    const service = new WebsitesService({ store, limits, audit, events, jobs, tenancy, users, config, drivers, logger });
    const siteDatabases = () => extensions.list(extensionPoints.siteDatabases)[0];
    const siteCertificates = () => extensions.list(extensionPoints.siteCertificates)[0];
    const reconciler = new Reconciler({ store, events, logger, config, drivers, siteDatabases, siteCertificates });

    ctx.routes(websiteRoutes({ store, service, drivers }), { prefix: '/websites' });
    ctx.routes(fileRoutes({ store, drivers, config, events }), { prefix: '/websites' });
    ctx.routes(phpSettingsRoutes({ store, service, audit, config }), { prefix: '/websites' });
    ctx.job(
      RECONCILE_JOB,
      async (_payload, job) => {
        await reconciler.run(job);
      },
      { maxAttempts: 3 },
    );
    ctx.schedule('sweep', { cron: ctx.config.sweepCron, job: RECONCILE_JOB });
    followAccounts(ctx, service);
    ctx.provide(websitesThrottleRef, () => createWebsitesThrottleService({ db, audit, service }));
    // A web server that appears (its plugin enabled, or restarted) gets every waiting site.
    ctx.on('plugin.enabled', async () => service.enqueueReconcile());
    // A certificate landed or a HTTPS switch flipped: the run takes it (see takeCertificateChanges).
    ctx.on('certificate.changed', async () => service.enqueueReconcile());
    ctx.command(reconcileCommand(store, service));
    for (const page of PAGES) ctx.page(page);
  },
  async start(ctx) {
    // Sites left half-done by a crash or by a stop are picked up at once, not at the next sweep.
    await enqueueReconcile(ctx.deps.jobs);
  },
});
