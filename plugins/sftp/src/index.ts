/**
 * sftp: per-site SFTP accounts (password and SSH keys) on an OpenSSH sshd the plugin runs
 * itself, each chrooted to the folder of the sites and started in its own site's folder, files
 * owned by the site's user. Why sshd and not an SFTP server in Node: docs/decisions/0040.
 * Wiring only; see services/.
 */
import {
  coreServices,
  definePlugin,
  extensionPoints,
  startInBackground,
  type BackgroundStart,
  type WebServerDriver,
} from '@hostplane/sdk';
import { deleteCommand, fingerprintsCommand, listCommand, SYNC_JOB, syncCommand } from './commands.js';
import { rootOf, SftpConfig } from './config.js';
import { sftpRoutes } from './routes.js';
import { AccountsService } from './services/accounts-service.js';
import { ManagedSshd } from './services/sshd.js';
import { installTag, SystemAccounts } from './services/system-accounts.js';
import { AccountStore } from './store.js';
import type {} from '@hostplane/plugin-websites';

export { SftpConfig } from './config.js';

interface Running {
  sshd: ManagedSshd;
  service: AccountsService;
  /** Set once sshd runs with the accounts' config; null while starting, off or failed. */
  live: boolean;
  started: BackgroundStart | null;
}

const running = new WeakMap<object, Running>();

export default definePlugin({
  id: 'sftp',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0', websites: '^0.1.0' },
  config: SftpConfig,
  permissions: [
    'http:routes',
    'db',
    'jobs',
    'schedules',
    'audit',
    'events:subscribe',
    'exec:sshd',
    'exec:ssh-keygen',
    'exec:useradd',
    'exec:usermod',
    'exec:userdel',
    'exec:groupadd',
    'exec:chpasswd',
    'exec:openssl',
  ],
  // Which sites exist, whose they are and whether they are live.
  database: { reads: { websites: ['websites'] } },
  rbac: {
    'sftp.account.read': {
      description: 'See the SFTP accounts of your websites (or your customers’)',
      roles: ['reseller', 'customer', 'technical_user'],
    },
    'sftp.account.write': {
      description: 'Create, change and delete SFTP accounts of your websites',
      roles: ['reseller', 'customer'],
    },
  },
  deps: {
    db: coreServices.database,
    tenancy: coreServices.tenancy,
    audit: coreServices.audit,
    jobs: coreServices.jobs,
    extensions: coreServices.extensions,
    logger: coreServices.logger,
  },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db, tenancy, audit, jobs, extensions, logger } = ctx.deps;
    const root = rootOf(ctx.config);
    const sshd = new ManagedSshd({
      root,
      sshdBinary: ctx.config.sshdBinary,
      listenAddress: ctx.config.listenAddress,
      port: ctx.config.port,
    });
    const store = new AccountStore(db, tenancy);
    const system = new SystemAccounts(sshd.keysDir, installTag(root));
    const entry: Running = { sshd, service: null as unknown as AccountsService, live: false, started: null };
    const service = new AccountsService({
      store,
      system,
      sshd: () => (entry.live ? sshd : null),
      drivers: (): WebServerDriver[] => extensions.list(extensionPoints.webServer),
      audit,
      config: () => ctx.config,
      logger,
    });
    entry.service = service;
    running.set(ctx.config, entry);

    ctx.routes(sftpRoutes({ service }), { prefix: '/websites' });
    ctx.job(SYNC_JOB, async () => {
      const result = await service.sync();
      logger.info(result, 'SFTP accounts synced');
    });
    // Repairs what a crash, the CLI or a missed event left: every five minutes.
    ctx.schedule('sync', { cron: '*/5 * * * *', job: SYNC_JOB });
    // A site's state decides whether its accounts may log in; a deleted site takes them along.
    const resync = async () => {
      await jobs.enqueue(SYNC_JOB, {}, { jobKey: SYNC_JOB });
    };
    ctx.on('website.suspended', resync);
    ctx.on('website.activated', resync);
    ctx.on('website.deleted', resync);
    const deps = { store, system, sshd, jobs };
    ctx.command(listCommand(deps));
    ctx.command(deleteCommand(deps));
    ctx.command(syncCommand(deps));
    ctx.command(fingerprintsCommand(deps));
  },
  async start(ctx) {
    const entry = running.get(ctx.config);
    if (!entry) throw new Error('sftp started before setup');
    if (ctx.config.mode === 'off') {
      ctx.reportHealth('degraded', 'off: set mode=managed to run the SFTP server');
      return;
    }
    entry.started = await startInBackground(ctx, {
      what: 'sshd',
      attempt: async () => {
        const missing = await entry.sshd.preflight();
        if (missing) return { ready: false, reason: missing };
        await entry.sshd.prepare();
        entry.live = true;
        try {
          await entry.service.sync();
        } catch (err) {
          entry.live = false;
          return { ready: false, reason: (err as Error).message };
        }
        return { ready: true, reason: null };
      },
    });
  },
  async stop(ctx) {
    const entry = running.get(ctx.config);
    if (!entry) return;
    await entry.started?.stop();
    entry.started = null;
    entry.live = false;
    // Customers' sessions outlive a host restart; only disabling the plugin stops the server.
    if (ctx.reason !== 'shutdown') await entry.sshd.stop();
  },
});
