// PHP settings per site on real NGINX + PHP-FPM: what a customer sets within the package's
// bounds reaches the site's pool (a PHP page prints ini_get), as php_admin_value (ini_set in the
// page cannot raise it); values over the bounds and settings on a static site are refused.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '../src/index.js';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, get, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, `real nginx + php-fpm: ${missing}`);
} else {
  // Real daemons, system users and site convergence: more than the suite's 120 s on a busy machine.
  t.setTimeout(360_000);
  const root = await tempRoot();
  const port = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      websites: { resources: { phpMaxExecutionSeconds: 120 } },
    },
  });
  const sql = sqlOf(host);
  const names: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(names);
    await rm(root, { recursive: true, force: true });
  });

  const { admin, customerA, customerB } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const asA = caller(host, customerA);
  const pkg = (
    await asAdmin.post(
      '/v1/packages',
      packageBody({
        features: { php_versions: ['8.2'], php_memory_mb: 128, upload_max_mb: 16 },
        limits: { ...packageBody().limits, websites: 5, domains: 5 },
      }),
    )
  ).body;
  const subscription = async (customerId: string) =>
    (await asAdmin.post('/v1/subscriptions', { customerId, packageId: pkg.id, billingCycle: 'monthly' })).body.id as string;
  const own = await subscription(customerA.id);
  const foreign = await subscription(customerB.id);
  const tag = randomUUID().slice(0, 6);
  let n = 0;
  async function site(kind: 'php' | 'static', subscriptionId = own) {
    n += 1;
    const res = await asAdmin.post('/v1/websites', { domain: `php${n}-${tag}.example.test`, kind, subscriptionId });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    names.push(res.body.name);
    return eventually(async () => {
      const s = (await asAdmin.get(`/v1/websites/${res.body.id}`)).body;
      if (s.status === 'error') throw new Error(s.statusReason);
      return s.status === 'active' && s.converged ? (s as { id: string; domain: string; generation: number }) : undefined;
    }, 30_000);
  }
  const php = await site('php');
  const url = `/v1/websites/${php.id}/php-settings`;
  const PAGE =
    "<?php @ini_set('memory_limit', '999M'); echo implode('|', [ini_get('memory_limit'), ini_get('upload_max_filesize'), ini_get('post_max_size'), ini_get('max_execution_time'), ini_get('display_errors')]);";
  const up = await asA.call('PUT', `/v1/websites/${php.id}/files/content?path=ini.php`, { content: PAGE });
  if (up.status !== 200) throw new Error(JSON.stringify(up.body));
  const page = (expected: string) =>
    eventually(
      async () => {
        const res = await get(port, php.domain, '/ini.php');
        return res.body === expected ? res.body : undefined;
      },
      20_000,
      200,
    );

  await t.test('defaults: the package’s memory and upload sizes, PHP’s own time limit, errors hidden', async (t) => {
    const view = (await asA.get(url)).body;
    t.same(view.bounds, { memoryLimitMb: 128, uploadMaxMb: 16, maxExecutionSeconds: 120 });
    t.same(view.settings, { memoryLimitMb: 128, uploadMaxMb: 16, maxExecutionSeconds: 30, displayErrors: false });
    t.equal(view.custom, false);
    t.equal(await page('128M|16M|16M|30|'), '128M|16M|16M|30|', 'ini_set cannot raise an admin value');
  });

  await t.test('settings within the bounds reach the site’s PHP', async (t) => {
    const res = await asA.call('PUT', url, { memoryLimitMb: 96, uploadMaxMb: 8, maxExecutionSeconds: 45, displayErrors: true });
    t.equal(res.status, 200, JSON.stringify(res.body));
    t.same(res.body.settings, { memoryLimitMb: 96, uploadMaxMb: 8, maxExecutionSeconds: 45, displayErrors: true });
    t.equal(await page('96M|8M|8M|45|1'), '96M|8M|8M|45|1');
    // A partial change keeps the rest.
    t.equal((await asA.call('PUT', url, { displayErrors: false })).status, 200);
    t.equal(await page('96M|8M|8M|45|'), '96M|8M|8M|45|');
  });

  await t.test('over the package’s bounds, bad values, static sites and foreign sites are refused', async (t) => {
    for (const [body, code] of [
      [{ memoryLimitMb: 129 }, 'WEBSITES_ERR_PHP_OUT_OF_BOUNDS'],
      [{ uploadMaxMb: 17 }, 'WEBSITES_ERR_PHP_OUT_OF_BOUNDS'],
      [{ maxExecutionSeconds: 121 }, 'WEBSITES_ERR_PHP_OUT_OF_BOUNDS'],
      [{ memoryLimitMb: 8 }, 'HOST_ERR_VALIDATION'],
      [{ displayErrors: 'yes please' }, 'HOST_ERR_VALIDATION'],
      [{}, 'HOST_ERR_VALIDATION'],
      [{ memory_limit: '1G' }, 'HOST_ERR_VALIDATION'],
    ] as const) {
      const res = await asA.call('PUT', url, body);
      t.equal(res.status, 400, JSON.stringify(body));
      t.equal(res.body.error.code, code);
    }
    const statik = await site('static');
    const refused = await asA.call('PUT', `/v1/websites/${statik.id}/php-settings`, { displayErrors: true });
    t.equal(refused.status, 409);
    t.equal(refused.body.error.code, 'WEBSITES_ERR_NOT_PHP');
    const other = await site('php', foreign);
    t.equal((await asA.call('PUT', `/v1/websites/${other.id}/php-settings`, { displayErrors: true })).status, 404);
    t.equal((await asA.get(`/v1/websites/${other.id}/php-settings`)).status, 404);
    t.equal(await page('96M|8M|8M|45|'), '96M|8M|8M|45|', 'nothing changed');
  });
}
