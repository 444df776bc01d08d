/** The deployments plugin's migration goes down and up again on a real database (DESIGN: up and down for every change). */
import t from 'tap';
import { migratePlugin } from '@hostplane/core';
import { startTestHost } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import { sqlOf } from '../../accounts/test/helpers.js';
import deployments from '../src/index.js';

const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, { definition: websites, version: '0.1.0' }, deployments],
});
const sql = sqlOf(host);
t.teardown(async () => {
  await sql.destroy();
  await host.close();
});

const MIGRATIONS = ['20261207000000_deployments'];

t.test('every migration goes down and up again', async (t) => {
  const directory = new URL('../migrations/', import.meta.url);
  const migrate = (action: 'down' | 'latest') => migratePlugin(sql, { pluginId: 'deployments', directory, action });
  const columns = async () =>
    (await sql('information_schema.columns')
      .where({ table_schema: 'plugin_deployments' })
      .orderBy(['table_name', 'column_name'])
      .select(sql.raw(`table_name || '.' || column_name as c`))
      .then((rows) => rows.map((r: { c: string }) => r.c))) as string[];
  const before = await columns();
  t.ok(before.includes('connections.hook_id') && before.includes('deployments.log'));
  const undone: string[] = [];
  for (let batch = await migrate('down'); batch.length > 0; batch = await migrate('down')) undone.push(...batch);
  t.same(undone, [...MIGRATIONS].reverse());
  t.notOk(
    (await columns()).some((c) => c.startsWith('connections.') || c.startsWith('deployments.')),
    'nothing of the plugin is left',
  );
  t.same([...(await migrate('latest'))].sort(), MIGRATIONS);
  t.same(await columns(), before);
});
