/**
 * Adminer by single sign-on on PostgreSQL (decision 0080), end to end: the databases plugin on
 * the databases-postgresql driver's own managed cluster, Adminer served by webserver-nginx (real
 * NGINX + PHP-FPM with php-pgsql, Debian's adminer). A customer's one-time link opens their own
 * database with its tables; the temporary login reaches no other database, through Adminer or
 * by SQL; another customer's database reads as missing.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import postgresql from '@hostplane/plugin-databases-postgresql';
import nginx from '@hostplane/plugin-webserver-nginx';
import pg from 'pg';
import { caller, makeUser, packageBody, sqlOf } from '../../accounts/test/helpers.js';
import {
  BIN_DIR,
  driver as pgDriver,
  freePort,
  systemMissing as pgMissing,
  tempRoot as pgRoot,
} from '../../databases-postgresql/test/helpers.js';
import { assertNoDaemons } from '../../webserver-nginx/test/daemons.js';
import { systemMissing as webMissing, tempRoot } from '../../webserver-nginx/test/helpers.js';
import { eventually } from '../../websites/test/helpers.js';
import databases from '../src/index.js';

/** A file the test needs (not a program): missing is a skip, or a failure under HOSTPLANE_REQUIRE_SYSTEM=1. */
function fileMissing(pattern: string, files: string[], install: string): string | null {
  if (files.some((f) => existsSync(f))) return null;
  const reason = `needs ${pattern}: ${install}`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

const phpVersions = existsSync('/etc/php') ? await fs.readdir('/etc/php') : [];
const missing =
  pgMissing() ??
  webMissing() ??
  fileMissing('/usr/share/adminer/adminer.php', ['/usr/share/adminer/adminer.php'], 'apt-get install adminer') ??
  fileMissing(
    '/etc/php/*/fpm/conf.d/*pgsql.ini',
    phpVersions.map((v) => `/etc/php/${v}/fpm/conf.d/20-pgsql.ini`),
    'apt-get install php-pgsql',
  );
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const dbRoot = await pgRoot();
  const [httpPort, adminerPort, dbPort] = [await freePort(), await freePort(), await freePort()];
  const tokens = path.join(root, 'adminer', 'tokens');
  const host = await startTestHost({
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: postgresql, version: '0.1.0' },
      { definition: nginx, version: '0.1.0' },
      databases,
    ],
    config: {
      'databases-postgresql': { root: dbRoot, port: dbPort, binDir: BIN_DIR },
      'webserver-nginx': { root, httpPort, adminerPort, workerProcesses: 1 },
      databases: {
        defaultServer: 'postgresql',
        adminerUrl: `http://127.0.0.1:${adminerPort}/`,
        adminerTokenDir: tokens,
      },
    },
  });
  // The cluster as the platform's admin sees it: adopts the running postgres, stops it at the end.
  const cluster = pgDriver({ root: dbRoot, port: dbPort });
  t.teardown(async () => {
    // A host that stops leaves its daemons serving (as in production): disabling stops NGINX.
    await host.kernel.disable('webserver-nginx');
    await host.close();
    await cluster.stop();
    if ((await cluster.managed?.runningPid()) != null) throw new Error('postgres still runs after the test');
    await assertNoDaemons(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  const sql = sqlOf(host);
  t.teardown(() => sql.destroy());
  await eventually(
    async () => (host.kernel.plugins().find((p) => p.id === 'databases-postgresql')?.health?.state === 'ok' ? true : undefined),
    120_000,
    100,
  );
  await cluster.start();

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
  // A table in the shop (made by the customer's own user), and one in Bob's database.
  async function tableIn(
    db: { id: string; name: string },
    as: ReturnType<typeof caller>,
    table: string,
  ): Promise<pg.ClientConfig> {
    const made = await as.post(`/v1/databases/${db.id}/users`, {});
    if (made.status !== 201) throw new Error(JSON.stringify(made.body));
    const client = new pg.Client({
      host: '127.0.0.1',
      port: dbPort,
      user: made.body.user.name,
      password: made.body.password,
      database: db.name,
    });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (id int)`);
    await client.end();
    return { host: '127.0.0.1', port: dbPort, user: made.body.user.name, password: made.body.password, database: db.name };
  }
  /** SQL as the customer's own user (their application); the error code when refused. */
  async function asCustomer(login: pg.ClientConfig, sql: string): Promise<string | null> {
    const client = new pg.Client(login);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(sql);
      return null;
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const shopLogin = await tableIn(shop, asAlice, 'hp_orders');
  await tableIn(foreign, caller(host, bob), 'hp_secrets');

  const base = `http://127.0.0.1:${adminerPort}/`;
  await eventually(
    async () =>
      (await fetch(base).then(
        (r) => r.status === 403,
        () => false,
      ))
        ? true
        : undefined,
    30_000,
    50,
  );

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

  /** Follow Adminer's own redirects (to the database, then to its `public` schema) with the session. */
  async function follow(first: { location: string; cookie: string }) {
    let page = await visit(first.location, first.cookie);
    let address = new URL(first.location, base);
    for (let i = 0; i < 3 && page.status === 302; i++) {
      address = new URL(page.location, address);
      page = await visit(address.href, page.cookie);
    }
    return { page, address };
  }

  await t.test('a customer’s one-time link opens their PostgreSQL database with its tables', async (t) => {
    const issued = await asAlice.post(`/v1/databases/${shop.id}/adminer`);
    t.equal(issued.status, 201, JSON.stringify(issued.body));
    const [file] = await fs.readdir(tokens);
    const login = JSON.parse(await fs.readFile(path.join(tokens, file as string), 'utf8'));
    t.equal(login.driver, 'pgsql', 'Adminer’s PostgreSQL driver');
    t.equal(login.server, `127.0.0.1:${dbPort}`);

    const first = await visit(issued.body.url);
    t.equal(first.status, 302, first.body.slice(0, 300));
    const target = new URL(first.location, base);
    t.equal(target.searchParams.get('pgsql'), `127.0.0.1:${dbPort}`);
    t.equal(target.searchParams.get('db'), shop.name);
    const user = target.searchParams.get('username') as string;
    t.equal(user, login.username);
    const { page, address } = await follow(first);
    t.equal(page.status, 200, page.body.slice(0, 500));
    t.match(page.body, shop.name, 'Adminer shows the database');
    t.match(page.body, 'hp_orders', 'and its table');
    t.notMatch(page.body, 'hp_secrets');
    t.same(await cluster.grantsOf(user), [shop.name], 'the login holds privileges on this database alone');

    // Its own table opens (before the refusals below: a refusal ends the Adminer session).
    const table = new URL(address);
    table.searchParams.set('select', 'hp_orders');
    const rows = await visit(table.href, page.cookie);
    t.equal(rows.status, 200, rows.body.slice(0, 300));
    t.match(rows.body, 'hp_orders');

    // A table made in Adminer's SQL command: the customer's own user may use it (decision 0080).
    const command = new URL(address);
    command.searchParams.set('sql', '');
    const form = await visit(command.href, page.cookie);
    const token = /name=["']token["'] value=["']([^"']+)["']/.exec(form.body)?.[1];
    t.ok(token, 'Adminer’s form token');
    const posted = await fetch(command, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'CREATE TABLE made_in_adminer (id int)', limit: '', token: token ?? '' }),
    });
    t.match(await posted.text(), /Query executed OK/, 'run by Adminer');
    t.equal(await asCustomer(shopLogin, 'INSERT INTO made_in_adminer VALUES (1)'), null, 'the customer’s user writes it');

    // Another database through an Adminer session: the launcher refuses it (and ends the
    // session, so each try has a fresh login of its own).
    for (const other of [second.name, foreign.name, 'postgres']) {
      const fresh = await visit((await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body.url);
      const opened = await follow(fresh);
      t.equal(opened.page.status, 200);
      const there = new URL(opened.address);
      there.searchParams.set('db', other);
      const refused = await visit(there.href, opened.page.cookie);
      t.equal(refused.status, 403, `${other} is not reachable through Adminer`);
      t.match(refused.body, /only the database it was opened for/);
    }
    // And by SQL with the temporary login itself (PUBLIC may not connect to customers' databases).
    for (const other of [foreign.name, second.name]) {
      const client = new pg.Client({ host: '127.0.0.1', port: dbPort, user, password: login.password, database: other });
      client.on('error', () => undefined);
      const err = await client.connect().then(
        () => null,
        (e: { code?: string }) => e,
      );
      await client.end().catch(() => undefined);
      t.equal(err?.code, '42501', `${other}: no CONNECT privilege for the Adminer login`);
    }
  });

  await t.test('a table made in Adminer stays the customer’s once the temporary login is gone', async (t) => {
    await host.clock.advance(61 * 60_000);
    await host.drainJobs();
    t.equal((await sql('plugin_databases.adminer_logins')).length, 0, 'every Adminer login ended');
    t.equal(await asCustomer(shopLogin, 'INSERT INTO made_in_adminer VALUES (2)'), null);
  });

  await t.test('another customer’s PostgreSQL database reads as missing', async (t) => {
    t.equal((await asAlice.post(`/v1/databases/${foreign.id}/adminer`)).status, 404);
    const users = (await sql('plugin_databases.adminer_logins').select('db_user', 'database_id')) as Array<{
      database_id: string;
    }>;
    t.notOk(
      users.some((u) => u.database_id === foreign.id),
      'no login was made for it',
    );
  });

  await t.test('deleting the database drops its Adminer users', async (t) => {
    const issued = (await asAlice.post(`/v1/databases/${shop.id}/adminer`)).body;
    const user = new URL((await visit(issued.url)).location, base).searchParams.get('username') as string;
    t.same(await cluster.existingUsers([user]), [user]);
    t.equal((await asAlice.del(`/v1/databases/${shop.id}?confirm=${shop.name}`)).status, 200);
    t.same(await cluster.existingUsers([user]), [], 'the temporary role is dropped');
  });
}
