/**
 * Several servers behind one databases plugin: MariaDB (managed) and PostgreSQL (external, the
 * platform's test server), listed with their state; a create names one, the default is the
 * config's; a database lives on the server it was made on and is dropped there. The panel page
 * is offered to those who may read databases.
 */
import t from 'tap';
import postgresql, { PostgresDriver } from '@hostplane/plugin-databases-postgresql';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { startDatabasesHost, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const url = new URL(process.env.HOSTPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const pgConfig = {
    mode: 'external' as const,
    host: url.hostname,
    port: Number(url.port || 5432),
    adminUser: decodeURIComponent(url.username || 'postgres'),
    adminPassword: decodeURIComponent(url.password),
  };
  const { host } = await startDatabasesHost(t, {
    plugins: [postgresql],
    config: { 'databases-postgresql': pgConfig, databases: { defaultServer: 'mariadb' } },
  });
  const sql = sqlOf(host);
  // An inspector of the PostgreSQL server, apart from the plugin's.
  const inspect = new PostgresDriver({
    ...pgConfig,
    root: '',
    adminDatabase: 'postgres',
    binDir: '/nonexistent',
    logger: { info() {}, warn() {}, error() {} },
  });
  t.teardown(async () => {
    await inspect.stop();
    await sql.destroy();
  });
  const { admin, customerA } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const asA = caller(host, customerA);
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { ...packageBody().limits, databases: 5 } }))).body;
  await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' });

  await t.test('both servers are listed, the default marked', async (t) => {
    const res = await asA.get('/v1/databases/servers');
    t.equal(res.status, 200);
    t.match(res.body.items, [
      { id: 'mariadb', engine: 'mariadb', state: 'ready', default: true },
      { id: 'postgresql', engine: 'postgresql', state: 'ready', default: false },
    ]);
  });

  await t.test('a database on PostgreSQL lives there and is dropped there', async (t) => {
    const created = await asA.post('/v1/databases', { name: 'pgapp', server: 'postgresql' });
    t.equal(created.status, 201, JSON.stringify(created.body));
    t.equal(created.body.engine, 'postgresql');
    const name = created.body.name as string;
    t.same(await inspect.existingDatabases([name]), [name]);
    const user = await asA.post(`/v1/databases/${created.body.id}/users`, {});
    t.equal(user.status, 201);
    t.same(await inspect.grantsOf(user.body.user.name), [name], 'granted on its database only');
    t.equal(user.body.endpoint.port, pgConfig.port);
    const one = await asA.get(`/v1/databases/${created.body.id}`);
    t.ok(one.body.sizeBytes > 0, 'measured by PostgreSQL');
    t.equal((await asA.del(`/v1/databases/${created.body.id}?confirm=${name}`)).status, 200);
    t.same(await inspect.existingDatabases([name]), []);
    t.same(await inspect.existingUsers([user.body.user.name]), []);

    const defaulted = await asA.post('/v1/databases', { name: 'mdb' });
    t.equal(defaulted.body.server, 'mariadb', 'the configured default');
    t.same(await inspect.existingDatabases([defaulted.body.name]), [], 'not on PostgreSQL');
  });

  await t.test('the panel page is offered to readers, with its table and form', async (t) => {
    const res = await asA.get('/v1/panel/pages');
    t.equal(res.status, 200);
    const page = (
      res.body.items as Array<{ pluginId: string; id: string; sections: Array<{ kind: string; source?: string }> }>
    ).find((p) => p.pluginId === 'databases');
    t.match(page, { id: 'databases', sections: [{ kind: 'table', source: '/databases' }, { kind: 'form' }] });
  });
}
