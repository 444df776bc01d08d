// An installation from before roles (everything made by a superuser) moves over to the owner
// role at the next start, and each plugin's schema to the plugin's role when it is next opened.
import { tmpdir } from 'node:os';
import knexFactory from 'knex';
import t from 'tap';
import { migrateCore } from '../src/db/core-migrator.js';
import { openDatabase } from '../src/db/open-database.js';
import { openPluginDatabase } from '../src/db/plugin-database.js';
import { createTestDatabase } from '../src/testing/test-database.js';

const testDb = await createTestDatabase();
t.teardown(() => testDb.drop());

// As the host used to: the superuser's own pool did everything.
const superuser = knexFactory({ client: 'pg', connection: testDb.url, pool: { min: 0, max: 2 } });
await migrateCore(superuser, 'latest');
await superuser.raw('create schema graphile_worker');
await superuser.raw('create table graphile_worker.jobs_then (id bigserial primary key)');
await superuser.raw('create schema plugin_legacy');
await superuser.raw('create table plugin_legacy.notes (id serial primary key, body text not null)');
await superuser.raw(`create type plugin_legacy.mood as enum ('fine')`);
await superuser.raw(`create function plugin_legacy.shout(text) returns text language sql as $$ select upper($1) $$`);
await superuser.raw(`insert into plugin_legacy.notes (body) values ('kept')`);
await superuser.raw(`insert into hostplane.users (email, role) values ('root@example.test', 'super_admin')`);
await superuser.destroy();

const ownerOf = async (knex: knexFactory.Knex, sql: string): Promise<string[]> =>
  [...new Set((await knex.raw(sql)).rows.map((r: { owner: string }) => r.owner) as string[])].sort();

t.test("the next start hands the database and the superuser's objects to the owner role", async (t) => {
  const db = await openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 2 });
  t.teardown(() => db.close());
  t.match(db.role, /^hp_[0-9a-f]{10}_owner$/);
  t.same(
    await ownerOf(
      db.knex,
      `select pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('hostplane', 'graphile_worker', 'plugin_legacy') and c.relkind in ('r', 'S', 'v')`,
    ),
    [db.role],
    'tables and sequences',
  );
  t.same(
    await ownerOf(
      db.knex,
      `select pg_get_userbyid(nspowner) as owner from pg_namespace where nspname in ('hostplane', 'graphile_worker', 'plugin_legacy')`,
    ),
    [db.role],
    'schemas',
  );
  t.same(
    await ownerOf(db.knex, `select pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()`),
    [db.role],
    'the database',
  );
  // The owner works on what it now owns: migrations, users, the old rows.
  t.same(await migrateCore(db.knex, 'latest'), []);
  t.equal((await db.knex('hostplane.users').count<Array<{ count: string }>>('* as count'))[0]!.count, '1');

  const legacy = await openPluginDatabase(
    { knex: db.knex, url: db.url },
    { pluginId: 'legacy', capabilities: new Set(['db']), reads: [] },
  );
  t.teardown(() => legacy.close());
  t.same(
    await ownerOf(
      db.knex,
      `select pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'plugin_legacy' and c.relkind in ('r', 'S')
       union all select pg_get_userbyid(typowner) from pg_type where typname = 'mood'
       union all select pg_get_userbyid(proowner) from pg_proc where proname = 'shout'`,
    ),
    [legacy.role],
    "the plugin's schema, tables, sequences, types and functions pass to its role",
  );
  t.same((await legacy.knex.raw('select plugin_legacy.shout(body) as s from plugin_legacy.notes')).rows, [{ s: 'KEPT' }]);
});

t.test('a second start finds the same owner and password', async (t) => {
  const first = await openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 1 });
  t.teardown(() => first.close());
  const second = await openDatabase({ url: testDb.url, dataDir: tmpdir(), poolMax: 1 });
  t.teardown(() => second.close());
  t.equal(second.url, first.url);
  t.equal((await first.knex.raw('select 1 as one')).rows[0].one, 1, 'the first pool still logs in');
});
