/**
 * A host with every first-party plugin enabled (auth, accounts, websites, webserver-nginx,
 * billing, payment-manual, payment-stripe (no keys: degraded), databases without a database server driver, dns without a
 * DNS server driver, backups, metering, sftp (no account: no sshd), cron-jobs, uptime, deployments, tls-acme; no daemon runs) plus
 * the hello example, on a fresh database with the demo users and packages, and a Bearer token
 * for each demo role. For tests that must see every route of a real install.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kernel, createTestDatabase, openDatabase } from '@hostplane/core';
import { pino } from 'pino';
import hello from '../../../examples/plugin-hello/src/index.js';
import accounts from '../../../plugins/accounts/src/index.js';
import auth from '../../../plugins/auth/src/index.js';
import databases from '../../../plugins/databases/src/index.js';
import nginx from '../../../plugins/webserver-nginx/src/index.js';
import websites from '../../../plugins/websites/src/index.js';
import billing from '../../../plugins/billing/src/index.js';
import manual from '../../../plugins/payment-manual/src/index.js';
import stripe from '../../../plugins/payment-stripe/src/index.js';
import dns from '../../../plugins/dns/src/index.js';
import backups from '../../../plugins/backups/src/index.js';
import metering from '../../../plugins/metering/src/index.js';
import sftp from '../../../plugins/sftp/src/index.js';
import cronJobs from '../../../plugins/cron-jobs/src/index.js';
import uptime from '../../../plugins/uptime/src/index.js';
import deployments from '../../../plugins/deployments/src/index.js';
import tlsAcme from '../../../plugins/tls-acme/src/index.js';
import { seedDemo } from '../../src/seed.js';
import { createHost, type Host } from '../../src/server/index.js';
import type { Teardownable } from './kernel.js';

/** Who calls: nobody, or a demo user of that role. */
export type Caller = 'anonymous' | 'customer' | 'reseller' | 'super_admin';

export interface FirstPartyHost {
  host: Host;
  kernel: Kernel;
  /** `Authorization` headers by caller (empty for anonymous). */
  headers: Record<Caller, Record<string, string>>;
}

const DEMO: Record<Exclude<Caller, 'anonymous'>, string> = {
  customer: 'alice@hostplane.test',
  reseller: 'reseller@hostplane.test',
  super_admin: 'admin@hostplane.test',
};

/** Boot it; stopped (host, kernel, database) at `t`'s teardown. */
export async function startFirstPartyHost(t: Teardownable): Promise<FirstPartyHost> {
  const db = await createTestDatabase('hostplane_first_party');
  const siteRoot = await mkdtemp(path.join(tmpdir(), 'hostplane-first-party-'));
  const database = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 6 });
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({
      database,
      logger: pino({ level: 'silent' }),
      inlinePlugins: [
        ...[
          auth,
          accounts,
          websites,
          nginx,
          databases,
          billing,
          manual,
          stripe,
          dns,
          backups,
          metering,
          sftp,
          cronJobs,
          uptime,
          deployments,
          tlsAcme,
        ].map((definition) => ({
          definition,
          version: '0.1.0',
        })),
        { definition: hello, version: '1.0.0' },
      ],
      enable: [
        'auth',
        'accounts',
        'websites',
        'webserver-nginx',
        'databases',
        'billing',
        'payment-manual',
        'payment-stripe',
        'dns',
        'backups',
        'metering',
        'sftp',
        'cron-jobs',
        'uptime',
        'deployments',
        'tls-acme',
        'hello',
      ],
      config: {
        auth: { cookieSecure: 'never', routeRateLimitPerMinute: 1_000_000, throttleMaxPerIp: 100_000 },
        // Enabled and serving as the websites' driver, but with no binary, so it starts degraded
        // and runs no daemon: it has no routes of its own, and its daemons are not under test.
        'webserver-nginx': { root: siteRoot, nginxBinary: '/nonexistent/nginx', siteUsers: 'current' },
        // Its folder in the test's own root, not ./.hostplane of the checkout (the default).
        sftp: { root: path.join(siteRoot, 'sftp') },
      },
      runWorkers: false,
      taskThreads: 1,
    });
  } catch (err) {
    await db.drop();
    await rm(siteRoot, { recursive: true, force: true });
    throw err;
  }
  const logins = await seedDemo(kernel);
  await kernel.runCommand('accounts', 'seed', [], { out: () => undefined, err: () => undefined });
  const host = await createHost({ kernel, logger: { level: 'silent' }, rateLimit: { max: 1_000_000, timeWindow: '1 minute' } });
  t.teardown(async () => {
    await host.close();
    await kernel.stop();
    await db.drop();
    await rm(siteRoot, { recursive: true, force: true });
  });

  const headers: Record<Caller, Record<string, string>> = { anonymous: {}, customer: {}, reseller: {}, super_admin: {} };
  for (const [caller, email] of Object.entries(DEMO) as Array<[Exclude<Caller, 'anonymous'>, string]>) {
    const login = logins.find((l) => l.email === email);
    if (!login) throw new Error(`no demo login ${email}`);
    const res = await host.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: login.password } });
    if (res.statusCode !== 200) throw new Error(`login of ${email} answered ${res.statusCode}: ${res.body}`);
    headers[caller] = { authorization: `Bearer ${(res.json() as { accessToken: string }).accessToken}` };
  }
  return { host, kernel, headers };
}
