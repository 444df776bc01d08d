import t from 'tap';
import { migratePlugin } from '../src/db/plugin-migrator.js';
import { createPluginDatabase } from '../src/services/database.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t, { migrate: false });
const directory = new URL('./fixtures/plugin-migrations/basic/', import.meta.url);
await migratePlugin(knex, { pluginId: 'hello-world', directory, action: 'latest' });
const db = createPluginDatabase(knex, 'hello-world');

t.test('table() reaches the plugin schema by unqualified name', async (t) => {
  t.equal(db.schema, 'plugin_hello_world');
  t.equal(db.knex, knex, 'the shared pool');
  const [row] = await db.table<{ id: number; name: string }>('greetings').insert({ name: 'ada' }).returning('*');
  t.same(row, { id: 1, name: 'ada' });
  const { rows } = await knex.raw('select name from plugin_hello_world.greetings');
  t.same(rows, [{ name: 'ada' }]);
});

t.test('transaction() commits on resolve and rolls back on throw', async (t) => {
  await db.transaction(async (trx) => {
    await db.table('greetings', trx).insert({ name: 'grace' });
  });
  await t.rejects(
    db.transaction(async (trx) => {
      await db.table('greetings', trx).insert({ name: 'lost' });
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  t.same(await db.table('greetings').orderBy('id').pluck('name'), ['ada', 'grace']);
});

t.test('table names reaching into other schemas are refused', async (t) => {
  t.throws(() => db.table('hostplane.users'), { code: 'DB_ERR_TABLE_NAME_INVALID' });
  t.throws(() => db.table(''), { code: 'DB_ERR_TABLE_NAME_INVALID' });
});

t.test('an invalid plugin id gets no database service', async (t) => {
  t.throws(() => createPluginDatabase(knex, 'Not_An_Id'), { code: 'DB_ERR_PLUGIN_ID_INVALID' });
});
