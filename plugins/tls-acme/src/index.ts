/**
 * tls-acme: a certificate for every website, from an ACME CA through HTTP-01 answered by the
 * web server driver, renewed before it expires; or the customer's own, checked on upload. The
 * websites plugin reads them through the `site-certificates` extension point. Wiring only.
 */
import { coreServices, definePlugin, extensionPoints, type DnsChallenges, type WebServerDriver } from '@hostplane/sdk';
import { tlsCommands } from './commands.js';
import { TlsAcmeConfig } from './config.js';
import { PAGES } from './panel.js';
import { certificateRoutes } from './routes/certificate.js';
import { listRoutes } from './routes/list.js';
import { AcmeIssuer } from './services/acme.js';
import { CertificatesService, ISSUE_JOB } from './services/certificates-service.js';
import { autoIssue } from './services/auto-issue.js';
import { Issuance } from './services/issuance.js';
import { Renewal } from './services/renewal.js';
import { siteCertificates } from './services/site-certificates.js';
import { Slots } from './services/slots.js';
import { CertificateStore } from './store.js';
import { tlsAcmeMails } from './services/mails.js';
import './events.js';

export { TlsAcmeConfig } from './config.js';
export { checkUpload } from './pem.js';

const SWEEP_JOB = 'sweep';

export default definePlugin({
  id: 'tls-acme',
  sdk: '^0.1.0',
  requires: { websites: '^0.1.0' },
  provides: ['site-certificates'],
  config: TlsAcmeConfig,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'audit',
    'secrets',
    'events:emit',
    'events:subscribe',
    'mailer',
    'users',
  ],
  mails: tlsAcmeMails,
  // Which sites exist, whose they are and the names they answer to (websites' shared tables).
  database: { reads: { websites: ['websites', 'website_domains'] } },
  rbac: {
    'tls.certificate.read': {
      description: 'See the certificates of your websites (or your customers’)',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'tls.certificate.write': {
      description: 'Order, renew and upload certificates, switch force-HTTPS and HSTS',
      roles: ['reseller', 'customer'],
    },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    jobs: coreServices.jobs,
    audit: coreServices.audit,
    events: coreServices.events,
    secrets: coreServices.secrets,
    extensions: coreServices.extensions,
    clock: coreServices.clock,
    logger: coreServices.logger,
    mailer: coreServices.mailer,
    users: coreServices.users,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, jobs, audit, events, secrets, extensions, clock, logger, mailer, users } = ctx.deps;
    const config = () => ctx.config;
    const drivers = (): WebServerDriver[] => extensions.list(extensionPoints.webServer);
    // The dns plugin's challenge records, looked up at each use: HTTP-01 works without it.
    const challenges = (): DnsChallenges | undefined => extensions.list(extensionPoints.dnsChallenges)[0];
    const store = new CertificateStore(db, tenancy);
    const service = new CertificatesService({ store, secrets, jobs, audit, events, clock, challenges });
    const issuer = new AcmeIssuer({ config, secrets, logger });
    const slots = new Slots(() => ctx.config.concurrency);
    const issuance = new Issuance({ store, service, issuer, slots, drivers, challenges, events, clock, config, logger });
    const renewal = new Renewal({ store, service, events, clock, config, logger, mailer, users });

    ctx.extend(extensionPoints.siteCertificates, siteCertificates(store, secrets));
    ctx.routes(certificateRoutes({ store, service }), { prefix: '/websites' });
    ctx.routes(listRoutes({ store, service }));
    ctx.job<{ websiteId: string }>(
      ISSUE_JOB,
      async ({ websiteId }) => {
        await issuance.run(websiteId);
      },
      { maxAttempts: 3 },
    );
    ctx.job(SWEEP_JOB, async () => {
      await renewal.sweep();
    });
    ctx.schedule('sweep', { cron: ctx.config.sweepCron, job: SWEEP_JOB });
    ctx.on('website.deleted', async ({ websiteId }) => service.forget(websiteId));
    ctx.on('website.activated', async ({ websiteId }) => {
      if (ctx.config.autoIssue) await autoIssue(store, service, websiteId);
    });
    for (const command of tlsCommands(store, service, renewal)) ctx.command(command);
    for (const page of PAGES) ctx.page(page);
  },
});
