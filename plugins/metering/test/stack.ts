/**
 * The real stack a metering test runs on: accounts, websites, the NGINX driver (real nginx on a
 * free port, site users as root) and metering. Traffic comes from real HTTP requests to the
 * sites; the clock is moved to fire the schedules.
 */
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { startTestHost, type TestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import nginx from '@hostplane/plugin-webserver-nginx';
import metering from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';

export { systemMissing as stackMissing } from '../../webserver-nginx/test/helpers.js';
export type Caller = ReturnType<typeof caller>;

/** A GET to a site through the real NGINX; resolves with the status and body length. */
export function visit(port: number, host: string, urlPath = '/'): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host, connection: 'close' } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
  });
}

export async function startStack(t: Test, options: { metering?: Record<string, unknown> } = {}) {
  const root = await tempRoot();
  const port = await freePort();
  const host: TestHost = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      metering,
    ],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      metering: { diskOpsPerSecond: 100_000, ...options.metering },
    },
  });
  const sql = sqlOf(host);
  const siteNames: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('metering');
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(siteNames);
    await rm(root, { recursive: true, force: true });
  });

  const trees = await twoTrees(sql);
  const admin = caller(host, trees.admin);
  const newPackage = async (limits: Record<string, number | null>) =>
    (
      await admin.post(
        '/v1/packages',
        packageBody({
          name: `Metered ${randomUUID().slice(0, 6)}`,
          limits: { websites: 20, domains: 20, databases: 0, email_accounts: 0, cron_jobs: 0, backups: 0, ...limits },
          features: { php_versions: ['8.2'] },
        }),
      )
    ).body;
  const subscribe = async (user: TestUser, packageId: string) =>
    (await admin.post('/v1/subscriptions', { customerId: user.id, packageId, billingCycle: 'monthly' })).body.id as string;

  let n = 0;
  const tag = randomUUID().slice(0, 6);
  /** A static site of the subscription, served and converged. */
  async function site(subscriptionId: string) {
    n += 1;
    const res = await admin.post('/v1/websites', { domain: `m${n}-${tag}.example.test`, kind: 'static', subscriptionId });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    siteNames.push(res.body.name);
    const active = await eventually(async () => {
      const s = (await admin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
    return {
      id: active.id as string,
      name: active.name as string,
      domain: active.domain as string,
      publicDir: active.documentRoot as string,
      dir: path.dirname(active.documentRoot as string),
    };
  }

  /** Fire the metering schedules (an hour passes: disk and traffic) and run what they queued. */
  async function meter() {
    await host.clock.advance(60 * 60_000);
    const { ran } = await host.drainJobs();
    return ran;
  }

  return { host, sql, root, port, trees, admin, newPackage, subscribe, site, meter, caller: (u: TestUser) => caller(host, u) };
}
