/**
 * dns: the zone resource. Zones and records live in PostgreSQL; the apply job makes the DNS
 * server (any plugin implementing the `dns-provider` extension point) serve them.
 */
import { coreServices, definePlugin, extensionPoints, type DnsProvider } from '@hostplane/sdk';
import { Challenges } from './challenges.js';
import { dnsCommands } from './commands.js';
import { DnsConfig } from './config.js';
import { PackageTemplates } from './package-templates.js';
import { PAGES } from './panel.js';
import { Reconciler } from './reconciler.js';
import { dnsRoutes } from './routes.js';
import { templateRoutes } from './template-routes.js';
import { DnsStore } from './store.js';
import { zoneForWebsite } from './website-zones.js';
import { APPLY_JOB, ZonesService } from './zones-service.js';

export { DnsConfig } from './config.js';
export * as records from './records.js';
export { zoneFile, zoneSpec, nextSerial } from './zone-spec.js';

const SWEEP_JOB = 'sweep';

export default definePlugin({
  id: 'dns',
  sdk: '^0.1.0',
  // ACME DNS-01 records in customers' zones, for certificate plugins (tls-acme).
  provides: ['dns-challenges'],
  // Packages and subscriptions: whose package a template belongs to, which one a zone starts from.
  requires: { accounts: '^0.1.0' },
  database: { reads: { accounts: ['subscriptions', 'packages'] } },
  config: DnsConfig,
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'users', 'audit', 'events:subscribe'],
  rbac: {
    'dns.zone.read': { description: 'See DNS zones in your subtree', roles: ['reseller', 'customer', 'technical_user'] },
    'dns.zone.write': { description: 'Create, change and delete DNS zones and records', roles: ['reseller', 'customer'] },
    'dns.template.write': { description: 'See and change the zone templates of packages you own', roles: ['reseller'] },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    users: coreServices.users,
    jobs: coreServices.jobs,
    clock: coreServices.clock,
    extensions: coreServices.extensions,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, users, jobs, clock, extensions, logger } = ctx.deps;
    const config = () => ctx.config;
    // The configured provider, else the first enabled: zones live on one server.
    const providers = (): DnsProvider[] => {
      const all = extensions.list(extensionPoints.dnsProvider);
      const wanted = ctx.config.provider;
      return wanted ? all.filter((p) => p.id === wanted) : all;
    };
    const store = new DnsStore(db, tenancy);
    const templates = new PackageTemplates(db, config);
    const service = new ZonesService({ store, tenancy, users, jobs, clock, config, logger, templates });
    const reconciler = new Reconciler({ store, service, providers, config, logger });
    const challenges = new Challenges({ store, service, reconciler, providers, clock, config, logger });

    ctx.extend(extensionPoints.dnsChallenges, challenges);
    ctx.routes(dnsRoutes({ store, service, providers, config }));
    ctx.routes(templateRoutes({ templates, config }));
    ctx.job<{ zoneId: string }>(APPLY_JOB, async (payload) => reconciler.apply(payload.zoneId), { maxAttempts: 5 });
    ctx.job(SWEEP_JOB, async () => {
      // Challenge records an order left behind (its process died) go once their expiry passed.
      await challenges.expire();
      await reconciler.sweep();
      // Templates of packages the accounts plugin deleted (no key across the two schemas).
      await templates.pruneOrphans();
    });
    ctx.schedule('sweep', { cron: ctx.config.sweepCron, job: SWEEP_JOB });
    ctx.on('website.created', zoneForWebsite(service, templates, config, logger));
    // A provider that appears (its plugin enabled) gets every waiting zone.
    ctx.on('plugin.enabled', async () => {
      await reconciler.sweep();
    });
    for (const command of dnsCommands(store, service, config, templates)) ctx.command(command);
    for (const page of PAGES) ctx.page(page);
  },
  async start(ctx) {
    await ctx.deps.jobs.enqueue(SWEEP_JOB, {}, { jobKey: 'dns:sweep' });
  },
});
