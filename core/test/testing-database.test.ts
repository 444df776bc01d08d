import t from 'tap';
import pg from 'pg';
import { migrateCore } from '../src/db/core-migrator.js';
import { openDatabase } from '../src/db/open-database.js';
import { openPluginDatabase } from '../src/db/plugin-database.js';
import { rolePrefix } from '../src/db/roles/role-names.js';
import { createTestDatabase, embeddedTestDatabase } from '../src/testing/test-database.js';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

t.test('each test database is fresh and dropped afterwards', async (t) => {
  const db = await createTestDatabase('hostplane_fresh');
  await query(db.url, 'create table t (n int)');
  const other = await createTestDatabase('hostplane_fresh');
  t.same(await query(other.url, `select to_regclass('t') as t`), [{ t: null }], 'a second database does not see the first');
  await db.drop();
  await db.drop();
  await other.drop();
  await t.rejects(query(db.url, 'select 1'), /does not exist/);
  await t.rejects(createTestDatabase('Bad-Prefix'), TypeError);
});

t.test('dropping a test database drops the roles made for it, and only those', async (t) => {
  const db = await createTestDatabase('hostplane_roles');
  const bystander = await createTestDatabase('hostplane_roles');
  t.teardown(() => bystander.drop());
  for (const target of [db, bystander]) {
    const handle = await openDatabase({ url: target.url, dataDir: '/tmp', poolMax: 1 });
    await migrateCore(handle.knex, 'latest');
    const plugin = await openPluginDatabase(
      { knex: handle.knex, url: handle.url },
      { pluginId: 'probe', capabilities: new Set(['db']), reads: [] },
    );
    await plugin.close();
    await handle.close();
  }
  const roles = (url: string) =>
    query(
      process.env.HOSTPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      `select count(*)::int as n from pg_roles where starts_with(rolname, '${rolePrefix(new URL(url).pathname.slice(1))}_')`,
    );
  t.same(await roles(db.url), [{ n: 2 }], 'an owner and a plugin role');
  await db.drop();
  t.same(await roles(db.url), [{ n: 0 }], 'gone with the database');
  t.same(await roles(bystander.url), [{ n: 2 }], "another database's roles stay");
});

t.test('without a server, a test gets an embedded PostgreSQL of its own', async (t) => {
  const db = await embeddedTestDatabase();
  t.same(await query(db.url, 'select 41 + 1 as n'), [{ n: 42 }]);
  await db.drop();
  await t.rejects(query(db.url, 'select 1'));
});
