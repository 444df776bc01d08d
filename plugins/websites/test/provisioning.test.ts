// Websites made real: the API, the reconciler and the NGINX + PHP-FPM driver together, served
// by real nginx and php-fpm that the webserver-nginx plugin runs on a free port.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, get, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.skip(`real nginx + php-fpm: ${missing}`);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }],
    config: { 'webserver-nginx': { root, httpPort: port, workerProcesses: 1 } },
  });
  const sql = sqlOf(host);
  const names: string[] = [];
  t.teardown(async () => {
    await sql.destroy();
    // The servers outlive a host that stops; disabling the plugin ends them.
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(names);
    await rm(root, { recursive: true, force: true });
  });

  const adminUser = await makeUser(sql, 'super_admin');
  const resellerUser = await makeUser(sql, 'reseller', adminUser);
  const aliceUser = await makeUser(sql, 'customer', resellerUser);
  const bobUser = await makeUser(sql, 'customer', resellerUser);
  const admin = caller(host, adminUser);
  const reseller = caller(host, resellerUser);
  const alice = caller(host, aliceUser);
  const bob = caller(host, bobUser);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({ name: 'Web', features: { php_versions: ['8.2', '8.3'] }, limits: { websites: 10, domains: 20 } }),
    )
  ).body;
  await admin.post('/v1/subscriptions', { customerId: aliceUser.id, packageId: pkg.id, billingCycle: 'monthly' });
  await admin.post('/v1/subscriptions', { customerId: bobUser.id, packageId: pkg.id, billingCycle: 'monthly' });
  void reseller;

  const tag = randomUUID().slice(0, 6);
  const domainOf = (what: string) => `${what}-${tag}.example.test`;

  async function active(user: ReturnType<typeof caller>, id: string, status = 'active') {
    return eventually(async () => {
      const site = (await user.get(`/v1/websites/${id}`)).body;
      if (site.status === 'error') throw new Error(`site in error: ${site.statusReason}`);
      return site.status === status && site.converged ? site : undefined;
    }, 30_000);
  }

  let staticSite: { id: string; domain: string; documentRoot: string; name: string };
  let phpSite: { id: string; domain: string; documentRoot: string; name: string };

  t.test('the server is ready and offers its PHP versions', async (t) => {
    const server = (await alice.get('/v1/websites/server')).body;
    t.match(server, { driver: 'nginx', state: 'ready' });
    t.ok(server.phpVersions.includes('8.2'), 'Debian 12 ships PHP 8.2');
    const refused = await alice.post('/v1/websites', { domain: domainOf('php83'), kind: 'php', phpVersion: '8.3' });
    t.equal(refused.status, 400, 'allowed by the package but not on the server');
    t.match(refused.body.error, { code: 'WEBSITES_ERR_PHP_VERSION', details: { allowed: ['8.2'] } });
  });

  t.test('a static site and a PHP site are served by NGINX', async (t) => {
    const s = await alice.post('/v1/websites', {
      domain: domainOf('static'),
      aliases: [`www.${domainOf('static')}`],
      kind: 'static',
    });
    const p = await alice.post('/v1/websites', { domain: domainOf('php'), kind: 'php' });
    t.equal(s.status, 201, JSON.stringify(s.body));
    t.equal(p.status, 201, JSON.stringify(p.body));
    names.push(s.body.name, p.body.name);
    staticSite = await active(alice, s.body.id);
    phpSite = await active(alice, p.body.id);
    t.match(staticSite.documentRoot, root);
    t.match(phpSite, { phpVersion: '8.2', previewUrl: new RegExp(`^http://${phpSite.name}\\.localhost:${port}`) });

    await writeFile(join(staticSite.documentRoot, 'index.html'), `<h1>static ${tag}</h1>`);
    await writeFile(join(phpSite.documentRoot, 'index.php'), '<?php echo "php:" . PHP_VERSION;');
    const page = await get(port, staticSite.domain);
    t.equal(page.status, 200);
    t.match(page.body, `static ${tag}`);
    t.match((await get(port, `www.${staticSite.domain}`)).body, `static ${tag}`, 'the alias too');
    t.match((await get(port, `${staticSite.name}.localhost`)).body, `static ${tag}`, 'and the preview name');
    const php = await get(port, phpSite.domain);
    t.equal(php.status, 200);
    t.match(php.body, /^php:8\.2\.\d+/, 'PHP executes');
    const site = (await alice.get(`/v1/websites/${phpSite.id}`)).body;
    t.match(site.history[0], { step: 'apply', outcome: 'ok' });
  });

  t.test('suspend serves the suspension page, unsuspend brings the site back', async (t) => {
    t.equal((await reseller.post(`/v1/websites/${staticSite.id}/suspend`, { reason: 'abuse' })).status, 200);
    await active(alice, staticSite.id, 'suspended');
    const page = await get(port, staticSite.domain);
    t.equal(page.status, 503);
    t.match(page.body, /suspended/i);
    t.equal((await reseller.post(`/v1/websites/${staticSite.id}/unsuspend`)).status, 200);
    await active(alice, staticSite.id);
    t.match((await get(port, staticSite.domain)).body, `static ${tag}`, 'files were kept');
  });

  t.test('a config NGINX refuses marks only that site in error', async (t) => {
    const res = await admin.patch(`/v1/websites/${phpSite.id}`, { extraDirectives: 'no_such_directive on;' });
    t.equal(res.status, 200);
    const site = await eventually(async () => {
      const s = (await alice.get(`/v1/websites/${phpSite.id}`)).body;
      return s.status === 'error' ? s : undefined;
    }, 30_000);
    t.match(site.statusReason, /no_such_directive/);
    t.match((await get(port, staticSite.domain)).body, `static ${tag}`, 'the other site is still served');
    t.match((await get(port, phpSite.domain)).body, /^php:8\.2/, 'and this one keeps its last good config');
    // Fixing the directive brings it back.
    t.equal(
      (await admin.patch(`/v1/websites/${phpSite.id}`, { extraDirectives: 'add_header X-Hosted-By hostplane;' })).status,
      200,
    );
    await active(alice, phpSite.id);
    t.equal((await get(port, phpSite.domain)).headers['x-hosted-by'], 'hostplane');
  });

  t.test('a customer cannot touch another customer’s site', async (t) => {
    t.equal((await bob.get(`/v1/websites/${staticSite.id}`)).status, 404);
    t.equal((await bob.del(`/v1/websites/${staticSite.id}`)).status, 404);
    t.equal((await get(port, staticSite.domain)).status, 200);
  });

  t.test('delete removes the site from the server', async (t) => {
    t.equal((await alice.del(`/v1/websites/${staticSite.id}`)).status, 202);
    await eventually(async () => ((await alice.get(`/v1/websites/${staticSite.id}`)).status === 404 ? true : undefined), 30_000);
    const page = await get(port, staticSite.domain);
    t.equal(page.status, 404, 'the default server answers');
    t.notMatch(page.body, `static ${tag}`);
    const events = await sql('hostplane.audit_log').where({ target_id: staticSite.id }).pluck('action');
    t.ok(events.includes('websites.site.deleted'));
  });
}
