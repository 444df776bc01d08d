import t from 'tap';
import pg from 'pg';
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

t.test('without a server, a test gets an embedded PostgreSQL of its own', async (t) => {
  const db = await embeddedTestDatabase();
  t.same(await query(db.url, 'select 41 + 1 as n'), [{ n: 42 }]);
  await db.drop();
  await t.rejects(query(db.url, 'select 1'));
});
