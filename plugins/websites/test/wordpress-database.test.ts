// A WordPress site gets a database and user of its own from the databases plugin, and its PHP
// reaches them with the credentials written into wp-config.php: real nginx + php-fpm
// (webserver-nginx) and a real MariaDB (databases-mariadb's managed mariadbd). Deleting the site
// keeps the database unless asked, then deletes it.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

const missing = systemMissing() ?? mariadbMissing();
if (missing) {
  t.plan(0, `real nginx + php-fpm + mariadb: ${missing}`);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const dbRoot = await mariadbRoot();
  const dbPort = await freePort();

  // A stand-in for wordpress.tar.gz whose index.php logs in with wp-config.php's constants.
  const fixtureDir = await mkdtemp(join(root, 'fixture-'));
  await mkdir(join(fixtureDir, 'wordpress'));
  // wp-config.php ends by requiring wp-settings.php: here a stub, so index.php gets the constants.
  await writeFile(join(fixtureDir, 'wordpress', 'wp-settings.php'), '<?php // stand-in');
  await writeFile(
    join(fixtureDir, 'wordpress', 'index.php'),
    [
      '<?php',
      "require __DIR__ . '/wp-config.php';",
      "[$h, $p] = explode(':', DB_HOST);",
      'mysqli_report(MYSQLI_REPORT_OFF);',
      '$db = @new mysqli($h, DB_USER, DB_PASSWORD, DB_NAME, (int) $p);',
      "if ($db->connect_errno) { echo 'refused ', $db->connect_error; exit; }",
      "$db->query('CREATE TABLE IF NOT EXISTS wp_options (option_name varchar(64))');",
      "echo 'connected ', DB_NAME, ' as ', DB_USER;",
    ].join('\n'),
  );
  const archive = join(fixtureDir, 'wordpress.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', fixtureDir, 'wordpress'], { stdio: 'ignore' });

  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }, mariadb, databases],
    config: {
      'webserver-nginx': { root, httpPort: port, workerProcesses: 1 },
      'databases-mariadb': { root: dbRoot, port: dbPort, bufferPoolMb: 16 },
      websites: { wordpress: { archiveUrl: pathToFileURL(archive).href } },
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
  const aliceUser = await makeUser(sql, 'customer', adminUser, { email: `alice.${randomUUID().slice(0, 4)}@example.test` });
  const admin = caller(host, adminUser);
  const alice = caller(host, aliceUser);
  const pkg = (
    await admin.post(
      '/v1/packages',
      packageBody({
        name: 'WP',
        features: { php_versions: ['8.2'] },
        limits: { ...packageBody().limits, websites: 5, domains: 5, databases: 2 },
      }),
    )
  ).body;
  await admin.post('/v1/subscriptions', { customerId: aliceUser.id, packageId: pkg.id, billingCycle: 'monthly' });
  const tag = randomUUID().slice(0, 6);

  async function converged(id: string) {
    return eventually(async () => {
      const site = (await alice.get(`/v1/websites/${id}`)).body;
      if (site.status === 'error') throw new Error(`site in error: ${site.statusReason}`);
      return site.status === 'active' && site.converged ? site : undefined;
    }, 60_000);
  }

  await t.test('a WordPress site gets its own database and user, and its PHP logs in with them', async (t) => {
    const created = await alice.post('/v1/websites', { domain: `blog-${tag}.example.test`, kind: 'wordpress' });
    t.equal(created.status, 201, JSON.stringify(created.body));
    names.push(created.body.name);
    const site = await converged(created.body.id);

    const dbs = (await alice.get('/v1/databases')).body;
    t.equal(dbs.total, 1, 'one database, listed among the customer’s');
    const db = dbs.items[0];
    t.equal(db.websiteId, site.id);
    t.match(db.name, /^alice[a-z0-9]*_wp_blog_/);
    t.same(db.users, [db.name]);

    const page = await get(port, site.domain);
    t.equal(page.status, 200);
    t.equal(page.body, `connected ${db.name} as ${db.name}`);
    const config = await readFile(join(site.documentRoot, 'wp-config.php'), 'utf8');
    t.match(config, new RegExp(`define\\('DB_NAME', '${db.name}'\\);`));
    t.notMatch(config, /define\('DB_PASSWORD', ''\);/, 'a real password');
    const password = /define\('DB_PASSWORD', '([^']+)'\);/.exec(config)?.[1] as string;
    t.ok(await canUseOver(dbPort)({ user: db.name, password, database: db.name }), 'the written password is the user’s');
    t.notOk(JSON.stringify(site).includes(password), 'the API never shows it');

    // The databases limit counts it: one more fits, the next does not.
    t.equal((await alice.post('/v1/databases', { name: 'extra' })).status, 201);
    t.equal((await alice.post('/v1/databases', { name: 'extra2' })).status, 409);

    // Re-applying the site (a change) keeps the database and its password working.
    const patched = await alice.patch(`/v1/websites/${site.id}`, { aliases: [`www.blog-${tag}.example.test`] });
    t.equal(patched.status, 200);
    await converged(site.id);
    t.equal((await get(port, site.domain)).body, `connected ${db.name} as ${db.name}`, 'password not reissued');
    t.equal((await alice.get('/v1/databases')).body.total, 2);

    await t.test('deleting the site keeps its database unless asked', async (t) => {
      const kept = await alice.post('/v1/websites', { domain: `keep-${tag}.example.test`, kind: 'static' });
      t.equal(kept.status, 201);
      names.push(kept.body.name);
      t.equal((await alice.del(`/v1/websites/${site.id}?deleteDatabase=yes`)).status, 400, 'a boolean, not any word');
      const del = await alice.call('DELETE', `/v1/websites/${site.id}?deleteDatabase=true`);
      t.equal(del.status, 202);
      await eventually(async () => ((await alice.get(`/v1/websites/${site.id}`)).status === 404 ? true : undefined), 30_000);
      const left = (await alice.get('/v1/databases')).body;
      t.same(
        left.items.map((d: { name: string }) => d.name),
        [db.name.replace(/_wp_.*$/, '_extra')],
        'the site’s database went with it; the other stays',
      );
      t.notOk(await canUseOver(dbPort)({ user: db.name, password, database: db.name }), 'its user is gone');
    });
  });
}
