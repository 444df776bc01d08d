// E2E: a WordPress site made from a real WordPress release (Debian's `wordpress` package, packed
// the way wordpress.org ships it and served over HTTP from here, since wordpress.org is not
// reachable) reaches WordPress's own installation page: PHP runs WordPress, and wp-config.php's
// credentials log in to the site's own database on a real MariaDB. Deleting the site with
// deleteDatabase=true takes the database with it.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '@hostplane/plugin-accounts';
import databases from '@hostplane/plugin-databases';
import mariadb, { ManagedServer } from '@hostplane/plugin-databases-mariadb';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '../src/index.js';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { canUseOver, systemMissing as mariadbMissing, tempRoot as mariadbRoot } from '../../databases-mariadb/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, get, removeUsers, systemMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from './helpers.js';

const WORDPRESS = '/usr/share/wordpress';
/** A package's file the test reads (not a program): missing is a skip, or a failure under HOSTPLANE_REQUIRE_SYSTEM=1. */
function packageMissing(file: string, install: string): string | null {
  if (existsSync(file)) return null;
  const reason = `needs ${file}: ${install}`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

const missing =
  systemMissing() ?? mariadbMissing() ?? packageMissing(join(WORDPRESS, 'wp-admin', 'install.php'), 'apt-get install wordpress');
if (missing) {
  t.plan(0, `real WordPress, nginx + php-fpm, mariadb: ${missing}`);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const dbRoot = await mariadbRoot();
  const dbPort = await freePort();

  // wordpress.org's layout: one wordpress/ folder. Links (Debian points some at shared copies)
  // become files; Debian's own wp-config.php (it reads /etc/wordpress) stays out, so the plugin
  // writes the site's; the 30 MB of translations stay out too (install.php does not need them).
  const fixtureDir = await mkdtemp(join(root, 'fixture-'));
  const archive = join(fixtureDir, 'wordpress.tar.gz');
  execFileSync(
    'tar',
    [
      '-czhf',
      archive,
      '--exclude=wordpress/wp-config.php',
      '--exclude=wordpress/.htaccess',
      '--exclude=wordpress/wp-content/languages',
      '--transform=s,^usr/share/wordpress,wordpress,',
      '-C',
      '/',
      'usr/share/wordpress',
    ],
    { stdio: 'ignore' },
  );
  const files = http.createServer((req, res) => {
    if (req.url !== '/wordpress.tar.gz') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/gzip' });
    createReadStream(archive).pipe(res);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  const archiveUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/wordpress.tar.gz`;

  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }, mariadb, databases],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      'databases-mariadb': { root: dbRoot, port: dbPort, bufferPoolMb: 16 },
      websites: { wordpress: { archiveUrl } },
    },
  });
  const sql = sqlOf(host);
  const names: string[] = [];
  t.teardown(async () => {
    files.close();
    await sql.destroy();
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await assertNoDaemons(root);
    await removeUsers(names);
    const server = new ManagedServer({
      root: dbRoot,
      port: dbPort,
      host: '127.0.0.1',
      mariadbd: '/usr/sbin/mariadbd',
      installDb: '/usr/bin/mariadb-install-db',
      bufferPoolMb: 16,
    });
    await server.stop();
    if ((await server.runningPid()) !== null) throw new Error('mariadbd still runs after the test');
    await rm(root, { recursive: true, force: true });
  });

  const adminUser = await makeUser(sql, 'super_admin');
  const bobUser = await makeUser(sql, 'customer', adminUser, { email: `bob.${randomUUID().slice(0, 4)}@example.test` });
  const admin = caller(host, adminUser);
  const bob = caller(host, bobUser);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({
        name: 'WP real',
        features: { php_versions: ['8.2'] },
        limits: { ...packageBody().limits, websites: 2, domains: 2, databases: 2 },
      }),
    )
  ).body;
  await admin.post('/v1/subscriptions', { customerId: bobUser.id, packageId: pkg.id, billingCycle: 'monthly' });
  const domain = `press-${randomUUID().slice(0, 6)}.example.test`;

  await t.test('the site answers WordPress’s installation page, backed by its own database', async (t) => {
    const created = await bob.post('/v1/websites', { domain, kind: 'wordpress' });
    t.equal(created.status, 201, created.status === 201 ? 'created' : JSON.stringify(created.body));
    names.push(created.body.name);
    const site = await eventually(async () => {
      const s = (await bob.get(`/v1/websites/${created.body.id}`)).body;
      if (s.status === 'error') throw new Error(`site in error: ${s.statusReason}`);
      return s.status === 'active' && s.converged ? s : undefined;
    }, 60_000);
    const db = (await bob.get('/v1/databases')).body.items[0];
    t.equal(db?.websiteId, site.id, 'the site’s own database');
    const config = await readFile(join(site.documentRoot, 'wp-config.php'), 'utf8');
    const password = /define\('DB_PASSWORD', '([^']+)'\);/.exec(config)?.[1] as string;
    t.ok(await canUseOver(dbPort)({ user: db.name, password, database: db.name }), 'wp-config.php logs in');

    // install.php answers its first step: the language choice, or (offline) the welcome form.
    // A wrong password would answer "Error establishing a database connection" instead.
    const page = await get(port, domain, '/wp-admin/install.php');
    t.equal(page.status, 200, page.status === 200 ? 'install.php answers' : page.body.slice(0, 300));
    t.match(page.body, /<title>WordPress &rsaquo; Installation<\/title>/, 'WordPress’s own installation page');
    t.notMatch(page.body, /Error establishing a database connection/);
    // Its form posts to step 1 and then step 2; step 1 is the "Welcome" form for the details.
    const step1 = await get(port, domain, '/wp-admin/install.php?step=1&language=');
    t.match(step1.body, /name="weblog_title"/, 'the install form asks for the site title');
    // Not installed yet: the front page sends the visitor to the installation.
    const front = await get(port, domain, '/');
    t.equal(front.status, 302, 'the front page redirects');
    t.match(String(front.headers.location), /\/wp-admin\/install\.php$/, 'to the installation');

    await t.test('deleting the site with deleteDatabase=true deletes its database', async (t) => {
      const del = await bob.call('DELETE', `/v1/websites/${site.id}?deleteDatabase=true`);
      t.equal(del.status, 202);
      await eventually(async () => ((await bob.get(`/v1/websites/${site.id}`)).status === 404 ? true : undefined), 30_000);
      t.equal((await bob.get('/v1/databases')).body.total, 0, 'no database left');
      t.equal((await bob.get(`/v1/databases/${db.id}`)).status, 404);
      t.notOk(await canUseOver(dbPort)({ user: db.name, password, database: db.name }), 'its user is gone');
    });
  });
}
