/** The backups plugin's migrations go down and up again on a real database (DESIGN: up and down for every change). */
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import { sqlOf } from '../../accounts/test/helpers.js';
import backups from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, { definition: websites, version: '0.1.0' }, backups],
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const MIGRATIONS = [
  '20261205100000_backups',
  '20261206100000_backup_databases',
  '20261207100000_package_schedules',
  '20261208100000_platform_backups',
  '20261209100000_reseller_targets',
];

t.test('every migration goes down and up again', async (t) => {
  const directory = new URL('../migrations/', import.meta.url);
  const migrate = (action: 'down' | 'latest') => migratePlugin(sql, { pluginId: 'backups', directory, action });
  const columns = async () =>
    (await sql('information_schema.columns')
      .where({ table_schema: 'plugin_backups' })
      .orderBy(['table_name', 'column_name'])
      .select(sql.raw(`table_name || '.' || column_name as c`))
      .then((rows) => rows.map((r: { c: string }) => r.c))) as string[];
  const before = await columns();
  t.ok(before.includes('backups.window_start') && before.includes('schedule_skips.window_start'));
  t.ok(before.includes('platform_backups.database_snapshot_id'));
  const undone: string[] = [];
  for (let batch = await migrate('down'); batch.length > 0; batch = await migrate('down')) undone.push(...batch);
  t.same(undone, [...MIGRATIONS].reverse());
  t.notOk(
    (await columns()).some((c) => c.startsWith('backups.')),
    'nothing of the plugin is left',
  );
  t.same([...(await migrate('latest'))].sort(), MIGRATIONS);
  t.same(await columns(), before);
});

t.test('accounts: packages made before the storage limit keep backing up unlimited', async (t) => {
  const directory = new URL('../../accounts/migrations/', import.meta.url);
  const migrate = (action: 'down' | 'latest') => migratePlugin(sql, { pluginId: 'accounts', directory, action });
  const [pkg] = await sql('plugin_accounts.packages')
    .insert({ name: 'Old', currency: 'EUR', limits: JSON.stringify({ backups: 3, backup_storage_mb: 100 }) })
    .returning('id');
  t.same(await migrate('down'), ['20261207000000_backup_storage_limit']);
  t.same((await sql('plugin_accounts.packages').where({ id: pkg.id }).first()).limits, { backups: 3 }, 'down drops the limit');
  await migrate('latest');
  t.same(
    (await sql('plugin_accounts.packages').where({ id: pkg.id }).first()).limits,
    { backups: 3, backup_storage_mb: null },
    'up: unlimited for a package that had none',
  );
});
