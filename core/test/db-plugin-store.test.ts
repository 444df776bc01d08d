import t from 'tap';
import {
  getPluginRow,
  listPluginRows,
  setPluginConfig,
  setPluginEnabled,
  setPluginState,
  upsertPluginRow,
} from '../src/db/plugin-store.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t);

t.test('a discovered plugin gets a row with defaults, once', async (t) => {
  const row = await upsertPluginRow(knex, { id: 'hello', version: '1.0.0' });
  t.match(row, {
    id: 'hello',
    version: '1.0.0',
    enabled: false,
    config: {},
    state: 'discovered',
    error: null,
    installedAt: null,
  });
  t.ok(row.updatedAt instanceof Date);
  await setPluginEnabled(knex, 'hello', true);
  const again = await upsertPluginRow(knex, { id: 'hello', version: '1.0.0' });
  t.equal(again.enabled, true, 'an existing row keeps the admin choices');
  const upgraded = await upsertPluginRow(knex, { id: 'hello', version: '1.1.0' });
  t.match(upgraded, { version: '1.1.0', enabled: true });
  t.same(
    (await listPluginRows(knex)).map((r) => r.id),
    ['hello'],
  );
});

t.test('rows list in id order and unknown ids read as undefined', async (t) => {
  await upsertPluginRow(knex, { id: 'accounts', version: '0.1.0' });
  t.same(
    (await listPluginRows(knex)).map((r) => r.id),
    ['accounts', 'hello'],
  );
  t.equal(await getPluginRow(knex, 'nope'), undefined);
});

t.test('config is stored as JSON, arrays and nesting included', async (t) => {
  const config = { hosts: ['a', 'b'], nested: { on: true, n: 3 } };
  t.same((await setPluginConfig(knex, 'hello', config)).config, config);
  t.same((await getPluginRow(knex, 'hello'))!.config, config);
  await t.rejects(setPluginConfig(knex, 'hello', ['x'] as never), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
  await t.rejects(setPluginConfig(knex, 'hello', null as never), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
});

t.test('state and error are kept together; installed_at is set once', async (t) => {
  const installed = await setPluginState(knex, 'hello', 'installed', null);
  t.ok(installed.installedAt instanceof Date);
  const at = new Date('2030-01-02T03:04:05.000Z');
  const failed = await setPluginState(knex, 'hello', 'failed', { phase: 'start', message: 'boom', at });
  t.same(failed.error, { phase: 'start', message: 'boom', at: '2030-01-02T03:04:05.000Z' });
  t.equal(failed.installedAt!.getTime(), installed.installedAt!.getTime());
  const started = await setPluginState(knex, 'hello', 'started', null);
  t.equal(started.error, null, 'null clears the error');
  t.equal(started.installedAt!.getTime(), installed.installedAt!.getTime(), 'installed_at does not move');

  const accounts = await setPluginState(knex, 'accounts', 'started', null);
  t.ok(accounts.installedAt, 'reaching a later state also marks the plugin installed');
});

t.test('bad input is refused with codes', async (t) => {
  await t.rejects(setPluginEnabled(knex, 'ghost', true), { code: 'DB_ERR_PLUGIN_NOT_FOUND', statusCode: 404 });
  await t.rejects(setPluginConfig(knex, 'ghost', {}), { code: 'DB_ERR_PLUGIN_NOT_FOUND' });
  await t.rejects(setPluginState(knex, 'ghost', 'failed', null), { code: 'DB_ERR_PLUGIN_NOT_FOUND' });
  await t.rejects(setPluginState(knex, 'hello', 'dancing' as never, null), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
  await t.rejects(setPluginState(knex, 'hello', 'failed', { phase: 'x', message: 'y', at: 'not a time' }), {
    code: 'DB_ERR_PLUGIN_ROW_INVALID',
  });
  await t.rejects(setPluginState(knex, 'hello', 'failed', { phase: 1 } as never), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
  await t.rejects(setPluginEnabled(knex, 'hello', 'yes' as never), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
  await t.rejects(upsertPluginRow(knex, { id: '', version: '1' }), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
  await t.rejects(upsertPluginRow(knex, { id: 'x', version: '' }), { code: 'DB_ERR_PLUGIN_ROW_INVALID' });
});
