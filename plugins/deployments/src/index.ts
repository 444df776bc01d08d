/**
 * deployments: Git deploys of each website. A site is connected to a repository (https, or ssh
 * with a deploy key the plugin makes), a branch, an optional build command and a web-root
 * folder; a deployment (on demand, or on push through a signed webhook) clones into
 * `releases/<name>` and builds as the site's user, then switches a `current` link with one
 * rename; the last N releases are kept for rollback. How the web server follows `current`:
 * docs/decisions/0067. Wiring only; see services/.
 */
import { coreServices, definePlugin, extensionPoints, type WebServerDriver } from '@hostplane/sdk';
import { deployCommand, listCommand } from './commands.js';
import { DeploymentsConfig } from './config.js';
import { PAGES } from './panel.js';
import { hookRoutes } from './hook-routes.js';
import { deploymentRoutes } from './routes.js';
import { DEPLOY_JOB, DeployService } from './services/deploy-service.js';
import { missingPrograms } from './services/keys.js';
import { Runner, type DeployPayload } from './services/runner.js';
import { DeployStore } from './store.js';
import type {} from '@hostplane/plugin-websites';

export { DeploymentsConfig } from './config.js';
export { checkBranch, checkRepositoryUrl, normaliseWebRoot } from './validate.js';

const FORGET_JOB = 'forget-deleted-sites';

export default definePlugin({
  id: 'deployments',
  sdk: '^0.1.0',
  requires: { websites: '^0.1.0' },
  config: DeploymentsConfig,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'audit',
    'events:subscribe',
    'secrets',
    'exec:git',
    'exec:sh',
    'exec:ssh-keygen',
  ],
  // Which sites exist, whose they are and whether they are live.
  database: { reads: { websites: ['websites'] } },
  rbac: {
    'deployments.deployment.read': {
      description: 'See the Git connection and deployments of your websites (or your customers’), with their logs',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'deployments.deployment.write': {
      description: 'Connect websites to Git repositories, deploy and roll back',
      roles: ['reseller', 'customer'],
    },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    audit: coreServices.audit,
    jobs: coreServices.jobs,
    secrets: coreServices.secrets,
    extensions: coreServices.extensions,
    clock: coreServices.clock,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, audit, jobs, secrets, extensions, clock, logger } = ctx.deps;
    const config = () => ctx.config;
    const store = new DeployStore(db, tenancy);
    const service = new DeployService({ store, audit, jobs, secrets, config });
    const runner = new Runner({
      store,
      secrets,
      drivers: (): WebServerDriver[] => extensions.list(extensionPoints.webServer),
      config,
      now: () => clock.now(),
      logger,
    });

    ctx.routes(deploymentRoutes({ store, service, config }), { prefix: '/websites' });
    ctx.routes(hookRoutes({ service }), { prefix: '/deployments' });
    ctx.job<DeployPayload>(
      DEPLOY_JOB,
      async (payload, job) => {
        const status = await runner.run(payload, job);
        job.logger.info({ deploymentId: payload.deploymentId, status }, 'deployment finished');
      },
      { maxAttempts: 10 },
    );
    ctx.job(FORGET_JOB, async () => {
      const n = await service.forgetDeletedSites();
      if (n > 0) logger.info({ deleted: n }, 'Git connections of deleted websites deleted');
    });
    ctx.schedule('forget', { cron: '23 * * * *', job: FORGET_JOB });
    ctx.on('website.deleted', async () => {
      await jobs.enqueue(FORGET_JOB, {}, { jobKey: FORGET_JOB });
    });
    for (const page of PAGES) ctx.page(page);
    ctx.command(listCommand({ store, jobs }));
    ctx.command(deployCommand({ store, jobs }));
  },
  async start(ctx) {
    const missing = await missingPrograms();
    if (missing) ctx.reportHealth('degraded', `${missing}: deployments fail until it is`);
  },
});
