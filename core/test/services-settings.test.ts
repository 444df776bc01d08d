import t from 'tap';
import { createSettingsService } from '../src/services/settings.js';
import { useTestDatabase } from './helpers/database.js';

const { knex } = await useTestDatabase(t);

t.test('values of any JSON shape round-trip', async (t) => {
  const settings = createSettingsService(knex, 'plugin:hello');
  const values: unknown[] = ['text', 42, 1.5, true, false, null, [1, 'two', { three: 3 }], { nested: { list: [] } }, ''];
  for (const [i, value] of values.entries()) {
    await settings.set(`k${i}`, value);
    t.same(await settings.get(`k${i}`), value, JSON.stringify(value));
  }
  t.equal(await settings.get('k5'), null, 'a stored null is null');
  t.equal(await settings.get('missing'), undefined, 'a missing key is undefined');
});

t.test('set overwrites, delete removes, and deleting twice is fine', async (t) => {
  const settings = createSettingsService(knex, 'plugin:hello');
  await settings.set('greeting', 'hi');
  await settings.set('greeting', { text: 'hello' });
  t.same(await settings.get<{ text: string }>('greeting'), { text: 'hello' });
  await settings.delete('greeting');
  t.equal(await settings.get('greeting'), undefined);
  await settings.delete('greeting');
});

t.test('scopes do not see each other', async (t) => {
  const a = createSettingsService(knex, 'plugin:a');
  const b = createSettingsService(knex, 'plugin:b');
  await a.set('shared-name', 'a');
  await b.set('shared-name', 'b');
  t.equal(await a.get('shared-name'), 'a');
  t.equal(await b.get('shared-name'), 'b');
  await a.delete('shared-name');
  t.equal(await b.get('shared-name'), 'b');
});

t.test('bad keys and values are refused with codes', async (t) => {
  const settings = createSettingsService(knex, 'plugin:hello');
  for (const key of ['', 'x'.repeat(201), 7 as unknown as string]) {
    await t.rejects(settings.get(key), { code: 'SETTINGS_ERR_KEY_INVALID' });
    await t.rejects(settings.set(key, 1), { code: 'SETTINGS_ERR_KEY_INVALID' });
    await t.rejects(settings.delete(key), { code: 'SETTINGS_ERR_KEY_INVALID' });
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  for (const value of [undefined, () => 1, Symbol('s'), 10n, cyclic, 'nul\u0000byte']) {
    await t.rejects(settings.set('bad', value), { code: 'SETTINGS_ERR_VALUE_INVALID' }, typeof value);
  }
  t.equal(await settings.get('bad'), undefined);
  t.throws(() => createSettingsService(knex, ''), TypeError);
});
