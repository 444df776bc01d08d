/**
 * The real stack an uptime test runs on: accounts, websites, the NGINX driver (real nginx, site
 * users as root) and uptime, whose checks connect to that nginx with each site's domain as Host.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Test } from 'tap';
import { startTestHost, type TestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import nginx from '@hostplane/plugin-webserver-nginx';
import uptime from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';

export { systemMissing as stackMissing };

export async function startStack(t: Test, options: { uptime?: Record<string, unknown> } = {}) {
  const root = await tempRoot();
  const port = await freePort();
  const host: TestHost = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      uptime,
    ],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      uptime: { connectTo: `127.0.0.1:${port}`, minimumIntervalMinutes: 1, ...options.uptime },
    },
  });
  // A plugin that could not start says why here, not as a table of 404s further down.
  const notStarted = host.kernel.plugins().filter((p) => p.enabled && p.state !== 'started');
  if (notStarted.length > 0)
    throw new Error(`not started: ${notStarted.map((p) => `${p.id} (${p.state}: ${p.error?.message ?? ''})`).join(', ')}`);
  const sql = sqlOf(host);
  const siteNames: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(siteNames);
    await rm(root, { recursive: true, force: true });
  });

  const trees = await twoTrees(sql);
  const admin = caller(host, trees.admin);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({
        name: `Uptime ${randomUUID().slice(0, 6)}`,
        limits: { websites: 50, domains: 50 },
        features: { php_versions: ['8.2'] },
      }),
    )
  ).body;
  const subscribe = async (user: TestUser) =>
    (await admin.post('/v1/subscriptions', { customerId: user.id, packageId: pkg.id, billingCycle: 'monthly' })).body
      .id as string;
  const subscriptions = { own: await subscribe(trees.customerA), foreign: await subscribe(trees.customerB) };

  let n = 0;
  const tag = randomUUID().slice(0, 6);
  async function site(which: 'own' | 'foreign' = 'own') {
    n += 1;
    const res = await admin.post('/v1/websites', {
      domain: `u${n}-${tag}.example.test`,
      kind: 'static',
      subscriptionId: subscriptions[which],
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    siteNames.push(res.body.name);
    const active = await eventually(async () => {
      const s = (await admin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
    return { id: active.id as string, domain: active.domain as string, publicDir: active.documentRoot as string };
  }

  return { host, sql, port, trees, admin, site, caller: (u: TestUser) => caller(host, u) };
}
