/**
 * Adminer by single sign-on, end to end: a one-time link from the API, redeemed over HTTP at the
 * Adminer that webserver-nginx serves (real NGINX + PHP-FPM, Debian's adminer), logged in to the
 * customer's own database on the real managed MariaDB, and nothing else; a reused or expired
 * link logs nobody in; the temporary user goes with the session or with the database.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import nginx from '@hostplane/plugin-webserver-nginx';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import { managedDriver } from '../../databases-mariadb/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { freePort, systemMissing as webMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import { startDatabasesHost, systemMissing } from './helpers.js';

/** A package's file the test reads (not a program): missing is a skip, or a failure under HOSTPLANE_REQUIRE_SYSTEM=1. */
function packageMissing(file: string, install: string): string | null {
  if (existsSync(file)) return null;
  const reason = `needs ${file}: ${install}`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

const missing = systemMissing() ?? webMissing() ?? packageMissing('/usr/share/adminer/adminer.php', 'apt-get install adminer');
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const [httpPort, adminerPort] = [await freePort(), await freePort()];
  const tokens = path.join(root, 'adminer', 'tokens');
  const {
    host,
    root: dbRoot,
    port: dbPort,
  } = await startDatabasesHost(t, {
    plugins: [{ definition: nginx, version: '0.1.0' }],
    config: {
      'webserver-nginx': { root, httpPort, adminerPort, workerProcesses: 1 },
      databases: { adminerUrl: `http://127.0.0.1:${adminerPort}/`, adminerTokenDir: tokens },
    },
  });
  t.teardown(async () => {
    await host.kernel.disable('webserver-nginx');
    await assertNoDaemons(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  const sql = sqlOf(host);
  t.teardown(() => sql.destroy());
  // The plugin makes and starts its server in the background: adopting it before that is done
  // would initialise the same folder twice (CI saw "Table 'mysql.db' doesn't exist").
  await eventually(
    async () => (host.kernel.plugins().find((p) => p.id === 'databases-mariadb')?.health?.state === 'ok' ? true : undefined),
    120_000,
    100,
  );
  // The server as the platform's admin sees it (adopts the running mariadbd, stops only its pool).
  const mariadb = managedDriver(dbRoot, dbPort);
  await mariadb.start();
  t.teardown(() => mariadb.stop({ keepServer: true }));

  const admin = await makeUser(sql, 'super_admin');
  const [alice, bob] = [await makeUser(sql, 'customer', admin), await makeUser(sql, 'customer', admin)];
  const asAdmin = caller(host, admin);
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { ...packageBody().limits, databases: 5 } }))).body;
  for (const u of [alice, bob])
    await asAdmin.post('/v1/subscriptions', { customerId: u.id, packageId: pkg.id, billingCycle: 'monthly' });
  const asAlice = caller(host, alice);
  const shopRes = await asAlice.post('/v1/databases', { name: 'shop' });
  if (shopRes.status !== 201) throw new Error(JSON.stringify(shopRes.body));
  const shop = shopRes.body;
  const second = (await asAlice.post('/v1/databases', { name: 'second' })).body;
  const foreign = (await caller(host, bob).post('/v1/databases', { name: 'other' })).body;
  // A table in the shop, for Adminer to list.
  const ownerRes = await asAlice.post(`/v1/databases/${shop.id}/users`, {});
  if (ownerRes.status !== 201) throw new Error(JSON.stringify(ownerRes.body));
  const owner = ownerRes.body;
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection({
    host: '127.0.0.1',
    port: dbPort,
    user: owner.user.name,
    password: owner.password,
    database: shop.name,
  });
  await conn.query('CREATE TABLE hp_orders (id INT)');
  await conn.end();

  // Adminer answers once the web server has started in the background.
  const base = `http://127.0.0.1:${adminerPort}/`;
  for (
    let i = 0;
    i < 200 &&
    !(await fetch(base).then(
      (r) => r.status === 403,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 50));

  /** GET without following redirects, with and returning the session cookie. */
  async function visit(url: string, cookie = ''): Promise<{ status: number; body: string; location: string; cookie: string }> {
    const res = await fetch(new URL(url, base), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    const set = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c?.startsWith('adminer_sid='));
    return {
      status: res.status,
      body: await res.text(),
      location: res.headers.get('location') ?? '',
      cookie: set.at(-1) ?? cookie,
    };
  }

  await t.test('a one-time link logs in to the customer’s own database only', async (t) => {
    const issued = await asAlice.post(`/v1/databases/${shop.id}/adminer`);
    t.equal(issued.status, 201, JSON.stringify(issued.body));
    t.match(issued.body.url, new RegExp(`^http://127\\.0\\.0\\.1:${adminerPort}/\\?hostplane=[A-Za-z0-9_-]{43}$`));
    t.ok(Date.parse(issued.body.expiresAt) - Date.now() <= 60_000, 'short-lived');
    t.same(Object.keys(issued.body).sort(), ['expiresAt', 'url'], 'no password in the answer');
    const files = await fs.readdir(tokens);
    t.equal(files.length, 1);
    t.notOk(
      files[0]?.includes(new URL(issued.body.url).searchParams.get('hostplane') as string),
      'the folder holds a hash, not the token',
    );
    if (process.getuid?.() === 0)
      t.not((await fs.stat(path.join(tokens, files[0] as string))).uid, 0, 'owned by the Adminer user');

    const first = await visit(issued.body.url);
    t.equal(first.status, 302, first.body.slice(0, 300));
    t.ok(first.cookie, 'a session cookie');
    const target = new URL(first.location, base);
    const user = target.searchParams.get('username') as string;
    t.match(user, /^hpadminer_[a-z0-9]{20}$/, 'a temporary user');
    t.equal(target.searchParams.get('db'), shop.name);
    t.notMatch(first.location + first.cookie, /password/i);
    t.same(await fs.readdir(tokens), [], 'the token file is gone');

    const page = await visit(first.location, first.cookie);
    t.equal(page.status, 200);
    t.match(page.body, /Adminer/);
    t.match(page.body, shop.name, 'Adminer shows the database');
    t.match(page.body, 'hp_orders', 'and its table');
    t.same(await mariadb.grantsOf(user), [shop.name], 'the login holds privileges on this database alone');

    const again = await visit(issued.body.url);
    t.equal(again.status, 403, 'a used link is refused');
    t.match(again.body, /not valid/);
    t.notOk(again.cookie, 'nothing logged in');

    for (const other of [second.name, foreign.name]) {
      target.searchParams.set('db', other);
      const refused = await visit(target.href, first.cookie);
      t.equal(refused.status, 403, `${other} is not reachable with this login`);
    }
    const css = await visit('?file=default.css&version=4.8.1', first.cookie);
    t.equal(css.status, 200, 'Adminer’s own CSS is served');
    t.equal((await visit(base, first.cookie)).status, 403, 'no login form');

    // Deleting the database ends its Adminer logins.
    t.equal((await asAlice.del(`/v1/databases/${second.id}?confirm=${second.name}`)).status, 200);
    t.same(await mariadb.existingUsers([user]), [user], 'another database’s deletion leaves this login');
  });

  await t.test('an expired link logs nobody in; unused links and old sessions are swept', async (t) => {
    const issued = (await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body;
    const [file] = await fs.readdir(tokens);
    const full = path.join(tokens, file as string);
    const login = JSON.parse(await fs.readFile(full, 'utf8'));
    await fs.writeFile(full, JSON.stringify({ ...login, expiresAt: Math.floor(Date.now() / 1000) - 1 }));
    const expired = await visit(issued.url);
    t.equal(expired.status, 403);
    t.notOk(expired.cookie);

    const unused = (await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body;
    t.ok(unused.url);
    const users = (await sql('plugin_databases.adminer_logins').select('db_user')).map((r: { db_user: string }) => r.db_user);
    t.equal(users.length, 3);
    // A minute: the unused token and its user go. An hour: every session's user goes.
    await host.clock.advance(2 * 60_000);
    await host.drainJobs();
    t.equal(await fs.readdir(tokens).then((f) => f.length), 0, 'the unused token file is deleted');
    t.equal((await sql('plugin_databases.adminer_logins')).length, 2);
    await host.clock.advance(61 * 60_000);
    await host.drainJobs();
    t.same(await mariadb.existingUsers(users), [], 'every temporary user is dropped');
    t.equal((await sql('plugin_databases.adminer_logins')).length, 0);
  });

  await t.test('deleting the database drops its Adminer users and token files', async (t) => {
    const issued = (await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body;
    const user = new URL((await visit(issued.url)).location, base).searchParams.get('username') as string;
    const unused = (await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body;
    t.ok(unused.url);
    t.same(await mariadb.existingUsers([user]), [user]);
    t.equal((await asAlice.del(`/v1/databases/${shop.id}?confirm=${shop.name}`)).status, 200);
    t.same(await mariadb.existingUsers([user]), [], 'the redeemed login’s user is gone');
    t.same(await fs.readdir(tokens), [], 'the unused token file is gone');
    t.equal((await sql('plugin_databases.adminer_logins')).length, 0);
  });

  await t.test('a foreign database reads as missing', async (t) => {
    t.equal((await asAlice.post(`/v1/databases/${foreign.id}/adminer`)).status, 404);
  });
}
