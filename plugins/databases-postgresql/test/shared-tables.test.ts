/**
 * Tables one user of a database makes are the database's other users' too, both ways, and stay
 * theirs after the maker is dropped (a temporary Adminer login, decision 0080); nobody outside
 * the database gains anything. External mode against the platform's PostgreSQL (trust on
 * 127.0.0.1 here), with prefixed names dropped at the end.
 */
import t from 'tap';
import pg from 'pg';
import { driver as makeDriver } from './helpers.js';

const url = new URL(process.env.HOSTPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const port = Number(url.port || 5432);
const driver = makeDriver({
  mode: 'external',
  host: url.hostname,
  port,
  adminUser: decodeURIComponent(url.username || 'postgres'),
  adminPassword: decodeURIComponent(url.password),
});
const prefix = `hpsh${process.pid % 100_000}`;
const db = `${prefix}_app`;
const elsewhere = `${prefix}_else`;
const [alice, tool, later, stranger] = ['alice', 'tool', 'later', 'stranger'].map((n) => `${prefix}_${n}`) as [
  string,
  string,
  string,
  string,
];
t.teardown(async () => {
  for (const u of [alice, tool, later, stranger]) await driver.dropUser(u).catch(() => undefined);
  await driver.dropDatabase(db).catch(() => undefined);
  await driver.dropDatabase(elsewhere).catch(() => undefined);
  await driver.stop();
});

/** Run SQL as `user` on `database`; the error code when refused. */
async function as(user: string, database: string, sql: string): Promise<string | null> {
  const client = new pg.Client({ host: url.hostname, port, user, password: 'x', database, connectionTimeoutMillis: 5_000 });
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

await t.test('what one user makes, the database’s other users use, even after its maker is gone', async (t) => {
  await driver.start();
  await driver.createDatabase(db);
  await driver.createDatabase(elsewhere);
  for (const u of [alice, tool, later, stranger]) await driver.createUser(u, 'Aa1-shared-tables-password');
  await driver.grant(alice, db);
  await driver.grant(tool, db);
  await driver.grant(stranger, elsewhere);

  t.equal(await as(alice, db, 'CREATE TABLE made_by_alice (id serial, v text)'), null);
  t.equal(
    await as(tool, db, "INSERT INTO made_by_alice (v) VALUES ('by tool')"),
    null,
    'the second user writes the first’s table',
  );
  t.equal(await as(tool, db, 'CREATE TABLE made_by_tool (id serial, v text)'), null);
  t.equal(await as(alice, db, "INSERT INTO made_by_tool (v) VALUES ('by alice')"), null, 'and the other way round');

  // The maker goes (as a temporary Adminer login does): its table stays usable by the others.
  await driver.dropUser(tool);
  t.same(await driver.existingUsers([tool]), [], 'dropped, default privileges and all');
  t.equal(await as(alice, db, "INSERT INTO made_by_tool (v) VALUES ('still')"), null, 'its table is still Alice’s to use');

  // A user granted later gets what exists, and what the others make afterwards.
  await driver.grant(later, db);
  t.equal(await as(later, db, 'SELECT * FROM made_by_alice, made_by_tool'), null);
  t.equal(await as(alice, db, 'CREATE TABLE made_after (id int)'), null);
  t.equal(await as(later, db, 'INSERT INTO made_after VALUES (1)'), null);

  // Nobody outside the database gains anything.
  t.equal(await as(stranger, db, 'SELECT 1'), '42501', 'no CONNECT on another customer’s database');

  // A revoked user loses the tables made after, and the database.
  await driver.revoke(later, db);
  t.equal(await as(alice, db, 'CREATE TABLE made_after_revoke (id int)'), null);
  t.equal(await as(later, db, 'SELECT 1'), '42501');
  await driver.dropUser(later);
  await driver.dropUser(alice);
  t.same(await driver.existingUsers([alice, later]), []);
});
