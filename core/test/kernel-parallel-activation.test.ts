/**
 * Plugins are prepared (code, role, pool, migrations) side by side, and set up and started one
 * at a time in dependency order: a migration that can only finish while another plugin's runs
 * proves the first; the order of `start` calls and of before-hooks proves the second.
 */
import t from 'tap';
import { definePlugin } from '@hostplane/sdk';
import { bootKernel } from './support/kernel.js';

let open!: () => void;
const opened = new Promise<void>((resolve) => (open = resolve));
(globalThis as { hostplaneTestGate?: unknown }).hostplaneTestGate = { opened, open };

const started: string[] = [];
const fixtures = new URL('./fixtures/gated-migrations/', import.meta.url);

// `waits` comes first in start order and its migration waits for `opens`' migration: one at a
// time, it would hang until the migrate limit and fail.
const waits = definePlugin({
  id: 'a-waits',
  sdk: '^0.1.0',
  migrations: new URL('waits/', fixtures),
  start: () => void started.push('a-waits'),
});
const opens = definePlugin({
  id: 'b-opens',
  sdk: '^0.1.0',
  migrations: new URL('opens/', fixtures),
  start: () => void started.push('b-opens'),
});
// First by name, but it requires `b-opens`: it starts after it.
const dependent = definePlugin({
  id: 'a-dependent',
  sdk: '^0.1.0',
  requires: { 'b-opens': '^1.0.0' },
  start: () => void started.push('a-dependent'),
});

t.test('migrations of independent plugins run at once; starts keep dependency order', async (t) => {
  const kernel = await bootKernel(t, {
    inlinePlugins: [waits, opens, dependent].map((definition) => ({ definition, version: '1.0.0' })),
    enable: ['a-waits', 'b-opens', 'a-dependent'],
    phaseLimits: { migrate: 10_000 },
  });
  t.match(kernel.plugin('a-waits'), { state: 'started' }, 'its migration finished because the other ran meanwhile');
  t.match(kernel.plugin('b-opens'), { state: 'started' });
  t.match(kernel.plugin('a-dependent'), { state: 'started' });
  // Names in order, each after what it requires: the same order on every boot.
  t.same(started, ['b-opens', 'a-dependent', 'a-waits'], 'a dependency starts before what requires it');
});
