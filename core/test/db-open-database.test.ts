import { tmpdir } from 'node:os';
import pg from 'pg';
import t from 'tap';
import { openDatabase } from '../src/db/open-database.js';
import { createTestDatabase } from '../src/testing/test-database.js';
import { captureLogger } from './helpers/logger.js';

const testDb = await createTestDatabase();
t.teardown(() => testDb.drop());

t.test('a URL opens a pool on that server, with bigint as string and timestamptz as Date', async (t) => {
  const db = await openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 2 });
  t.teardown(() => db.close());
  t.equal(db.embedded, false);
  // The test server's URL names a superuser: the pool logs in as the database's owner role instead.
  t.match(db.role, /^hp_[0-9a-f]{10}_owner$/);
  t.equal(new URL(db.url).username, db.role);
  const { rows } = await db.knex.raw(`select 9007199254740993::bigint as big, now() as at, 3::int as small`);
  t.equal(rows[0].big, '9007199254740993');
  t.ok(rows[0].at instanceof Date);
  t.equal(rows[0].small, 3);
});

t.test('the type parsers are per connection, not global', async (t) => {
  const db = await openDatabase({ url: testDb.url, dataDir: tmpdir() });
  t.teardown(() => db.close());
  // Another library in the process makes int8 a number globally; ours must not follow.
  const original = pg.types.getTypeParser(20, 'text');
  pg.types.setTypeParser(20, (v: string) => Number(v));
  t.teardown(() => pg.types.setTypeParser(20, original));
  const { rows } = await db.knex.raw('select 1::bigint as n');
  t.equal(rows[0].n, '1');
});

t.test('a connection terminated by the server does not crash the process', async (t) => {
  const { logger, entries } = captureLogger();
  const db = await openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 1, logger });
  t.teardown(() => db.close());
  const { rows } = await db.knex.raw('select pg_backend_pid() as pid');
  const admin = new pg.Client({ connectionString: testDb.url });
  await admin.connect();
  await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
  await admin.end();
  // Give the idle client time to see the socket close and emit 'error'.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const again = await db.knex.raw('select pg_backend_pid() as pid');
  t.not(again.rows[0].pid, rows[0].pid, 'a new connection replaced the dead one');
  t.ok(
    entries.some((e) => e.msg === 'PostgreSQL connection lost'),
    'the loss was logged',
  );
});

t.test('a URL that is not PostgreSQL is refused without echoing it', async (t) => {
  await t.rejects(openDatabase({ url: 'mysql://root:s3cret@db/app', dataDir: tmpdir() }), { code: 'DB_ERR_URL_INVALID' });
  const err = await openDatabase({ url: 'not a url s3cret', dataDir: tmpdir() }).catch((e: Error) => e);
  t.match(err, { code: 'DB_ERR_URL_INVALID' });
  t.notMatch((err as Error).message, /s3cret/);
});

t.test('an unreachable server fails fast with a code and no password in the message', async (t) => {
  const err = await openDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:1/none', dataDir: tmpdir() }).catch(
    (e: Error) => e,
  );
  t.match(err, { code: 'DB_ERR_CONNECT_FAILED', statusCode: 503 });
  t.match((err as Error).message, /127\.0\.0\.1:1\/none/);
  t.notMatch((err as Error).message, /s3cret/);
});

t.test('a bad pool size is a programming error', async (t) => {
  await t.rejects(openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 0 }), TypeError);
});
