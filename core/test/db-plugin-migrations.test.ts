import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { migratePlugin, pluginMigrationStatus, pluginSchemaName } from '../src/db/plugin-migrator.js';
import { useTestDatabase } from './helpers/database.js';

const fixtures = fileURLToPath(new URL('./fixtures/plugin-migrations/', import.meta.url));
const basic = path.join(fixtures, 'basic');
const { knex } = await useTestDatabase(t, { migrate: false });

async function tablesIn(schema: string): Promise<string[]> {
  return (await knex('information_schema.tables')
    .where({ table_schema: schema })
    .orderBy('table_name')
    .pluck('table_name')) as string[];
}

t.test('schema names replace dashes and refuse ids that are not plugin ids', async (t) => {
  t.equal(pluginSchemaName('webserver-nginx'), 'plugin_webserver_nginx');
  t.equal(pluginSchemaName('a'.repeat(56)), `plugin_${'a'.repeat(56)}`);
  for (const bad of ['', 'Hello', '1st', 'a_b', 'a.b', 'a;drop', 'a'.repeat(57), undefined as unknown as string]) {
    t.throws(() => pluginSchemaName(bad), { code: 'DB_ERR_PLUGIN_ID_INVALID' }, JSON.stringify(bad));
  }
  await t.rejects(migratePlugin(knex, { pluginId: 'Bad', directory: basic, action: 'latest' }), {
    code: 'DB_ERR_PLUGIN_ID_INVALID',
  });
});

t.test('plugin migrations land in the plugin schema and go up, down and up again', async (t) => {
  const options = { pluginId: 'hello-world', directory: basic };
  t.same(await pluginMigrationStatus(knex, options), { applied: [], pending: ['0001_greetings', '0002_visits'] });

  t.same(await migratePlugin(knex, { ...options, action: 'latest' }), ['0001_greetings', '0002_visits']);
  t.same(await tablesIn('plugin_hello_world'), ['greetings', 'migrations', 'migrations_lock', 'visits']);
  t.same(await tablesIn('public'), [], 'nothing leaked into public');
  t.same(await pluginMigrationStatus(knex, options), { applied: ['0001_greetings', '0002_visits'], pending: [] });
  const { rows } = await knex.raw('show search_path');
  t.notMatch(rows[0].search_path, /plugin_/, 'the search_path change stayed inside the transaction');

  t.same(await migratePlugin(knex, { ...options, action: 'down' }), ['0002_visits']);
  t.same(await tablesIn('plugin_hello_world'), ['greetings', 'migrations', 'migrations_lock']);
  t.same(await pluginMigrationStatus(knex, options), { applied: ['0001_greetings'], pending: ['0002_visits'] });

  t.same(await migratePlugin(knex, { ...options, action: 'up' }), ['0002_visits']);
  t.same(await migratePlugin(knex, { ...options, action: 'rollback-all' }), ['0002_visits', '0001_greetings']);
  t.same(await tablesIn('plugin_hello_world'), ['migrations', 'migrations_lock']);
});

t.test('a file: URL works as the folder', async (t) => {
  const directory = new URL('./fixtures/plugin-migrations/basic/', import.meta.url);
  t.same(await migratePlugin(knex, { pluginId: 'by-url', directory, action: 'latest' }), ['0001_greetings', '0002_visits']);
  t.same(await migratePlugin(knex, { pluginId: 'by-url', directory: directory.href, action: 'rollback-all' }), [
    '0002_visits',
    '0001_greetings',
  ]);
});

t.test('a missing folder means no migrations, and the schema still exists', async (t) => {
  const options = { pluginId: 'no-migrations', directory: path.join(fixtures, 'does-not-exist') };
  t.same(await migratePlugin(knex, { ...options, action: 'latest' }), []);
  t.same(await pluginMigrationStatus(knex, options), { applied: [], pending: [] });
  const { rows } = await knex.raw(`select to_regnamespace('plugin_no_migrations') as ns`);
  t.not(rows[0].ns, null);
});

t.test('a failing migration names plugin and file, and the batch is rolled back', async (t) => {
  const options = { pluginId: 'failing', directory: path.join(fixtures, 'failing') };
  const err = await migratePlugin(knex, { ...options, action: 'latest' }).catch((e: unknown) => e);
  t.match(err, { code: 'DB_ERR_MIGRATION_FAILED', details: { owner: 'plugin "failing"', file: '0002_broken' } });
  t.match((err as Error).message, /0002_broken.*plugin "failing".*no_such_table/);
  t.same(await pluginMigrationStatus(knex, options), { applied: [], pending: ['0001_ok', '0002_broken'] });
  t.same(await tablesIn('plugin_failing'), ['migrations', 'migrations_lock'], '0001_ok was undone with the batch');

  t.same(await migratePlugin(knex, { ...options, action: 'up' }), ['0001_ok'], 'the lock was released');
});

t.test('a module without up and down is refused before anything runs', async (t) => {
  await t.rejects(migratePlugin(knex, { pluginId: 'invalid', directory: path.join(fixtures, 'invalid'), action: 'latest' }), {
    code: 'DB_ERR_MIGRATION_LOAD_FAILED',
    details: { owner: 'plugin "invalid"', file: '0001_no_down.js' },
  });
});

t.test('a module that does not load names its file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-migrations-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, '0001_bad.mjs'), 'export async function up( {\n');
  await t.rejects(migratePlugin(knex, { pluginId: 'syntax', directory: dir, action: 'latest' }), {
    code: 'DB_ERR_MIGRATION_LOAD_FAILED',
    message: /0001_bad\.mjs.*plugin "syntax"/,
  });
});

// The built twin is .mjs here: under tsx (the tests' loader) an import of `x.js` from a
// TypeScript module loads `x.ts` when it exists, which no installed host ever does.
t.test('when a migration exists as built JavaScript and as .ts, the JavaScript runs', async (t) => {
  const options = { pluginId: 'dual', directory: path.join(fixtures, 'dual') };
  t.same(await migratePlugin(knex, { ...options, action: 'latest' }), ['0001_same']);
  t.same(await tablesIn('plugin_dual'), ['from_js', 'migrations', 'migrations_lock']);
});

t.test('an applied migration missing from the folder is reported, not ignored', async (t) => {
  await migratePlugin(knex, { pluginId: 'shrunk', directory: basic, action: 'latest' });
  await t.rejects(migratePlugin(knex, { pluginId: 'shrunk', directory: path.join(fixtures, 'dual'), action: 'latest' }), {
    code: 'DB_ERR_MIGRATIONS_INVALID',
    message: /plugin "shrunk".*0001_greetings/,
  });
});

t.test('plugin migrations create nothing outside the plugin schemas', async (t) => {
  const schemas = (await knex('information_schema.schemata').pluck('schema_name')) as string[];
  t.notOk(schemas.includes('hostplane'), 'no core schema');
});

t.test('an up-to-date plugin is checked with one read, taking no lock; a missing file is still reported', async (t) => {
  const options = { pluginId: 'quick-check', directory: basic };
  t.same(await migratePlugin(knex, { ...options, action: 'latest' }), ['0001_greetings', '0002_visits']);
  const seen: string[] = [];
  const count = (q: { sql: string }) => void seen.push(q.sql);
  knex.on('query', count);
  t.same(await migratePlugin(knex, { ...options, action: 'latest' }), [], 'nothing to run');
  knex.removeListener('query', count);
  t.ok(seen.length <= 2, `${seen.length} statements: ${seen.join('; ')}`);
  t.notOk(
    seen.some((sql) => sql.includes('migrations_lock')),
    'the migration lock is not taken',
  );
  // A migration recorded as run whose file is gone: the full run reports it, as before.
  await knex('plugin_quick_check.migrations').insert({ name: '0003_gone', batch: 2, migration_time: new Date() });
  await t.rejects(migratePlugin(knex, { ...options, action: 'latest' }), { code: 'DB_ERR_MIGRATIONS_INVALID' });
});
