/**
 * The real stack a per-site plugin's tests run on: accounts, websites, the NGINX driver (real
 * nginx on a free port, site users as root) and the plugins under test; two customer trees with
 * a subscription each to one package; `site()` makes a live, converged website. The teardown
 * stops the daemons (and fails the test if one outlived it) and removes the sites' users.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Test } from 'tap';
import { startTestHost, type TestHost, type TestPlugin } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import nginx from '@hostplane/plugin-webserver-nginx';
import { caller, packageBody, sqlOf, twoTrees, type TestUser } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, removeUsers, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';

export interface SiteStackOptions {
  /** The plugins under test, started after accounts, websites and the NGINX driver. */
  plugins: TestPlugin[];
  /** Their config, given the NGINX root and port. */
  config?: (web: { root: string; port: number }) => Record<string, Record<string, unknown>>;
  /** Limits of the package beside `websites` and `domains` (50 each). */
  limits?: Record<string, number | null>;
  /** Starts package names and site domains, so a failing test's leftovers say whose they are. */
  label: string;
}

export async function startSiteStack(t: Test, options: SiteStackOptions) {
  const root = await tempRoot();
  const port = await freePort();
  const host: TestHost = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: websites, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      ...options.plugins,
    ],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      ...options.config?.({ root, port }),
    },
  });
  // A plugin that could not start says why here, not as a table of 404s further down.
  const notStarted = host.kernel.plugins().filter((p) => p.enabled && p.state !== 'started');
  if (notStarted.length > 0) {
    await host.close();
    throw new Error(`not started: ${notStarted.map((p) => `${p.id} (${p.state}: ${p.error?.message ?? ''})`).join(', ')}`);
  }
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
  const tag = randomUUID().slice(0, 6);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({
        name: `${options.label} ${tag}`,
        limits: { websites: 50, domains: 50, ...options.limits },
        features: { php_versions: ['8.2'] },
      }),
    )
  ).body;
  const subscribe = async (user: TestUser) =>
    (await admin.post('/v1/subscriptions', { customerId: user.id, packageId: pkg.id, billingCycle: 'monthly' })).body
      .id as string;
  const subscriptions = { own: await subscribe(trees.customerA), foreign: await subscribe(trees.customerB) };

  let n = 0;
  /** A website of customer A (own) or B (foreign), live and converged. */
  async function site(which: 'own' | 'foreign' | { subscriptionId: string } = 'own', kind: 'static' | 'php' = 'static') {
    n += 1;
    const domain = `${options.label.toLowerCase()}${n}-${tag}.example.test`;
    const res = await admin.post('/v1/websites', {
      domain,
      kind,
      subscriptionId: typeof which === 'string' ? subscriptions[which] : which.subscriptionId,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    siteNames.push(res.body.name);
    const active = await eventually(async () => {
      const s = (await admin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 30_000);
    const publicDir = active.documentRoot as string;
    return { id: active.id as string, name: active.name as string, domain, publicDir, dir: path.dirname(publicDir) };
  }

  return { host, sql, root, port, trees, admin, pkg, subscribe, subscriptions, site, caller: (u: TestUser) => caller(host, u) };
}
