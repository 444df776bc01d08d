/**
 * `coreServices.secrets`: a plugin's own secrets are stored sealed, read back only by it,
 * created once under concurrent callers, and survive a key rotation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { coreServices, definePlugin, type SecretsService } from '@hostplane/sdk';
import { bootKernel, sharedDatabase } from './support/kernel.js';

function keeper(id: string, got: Record<string, SecretsService>) {
  return definePlugin({
    id,
    sdk: '^0.1.0',
    permissions: ['secrets'],
    deps: { secrets: coreServices.secrets },
    setup(ctx) {
      got[id] = ctx.deps.secrets;
    },
  });
}

const db = await sharedDatabase(t);
const got: Record<string, SecretsService> = {};
const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-psecrets-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));
const kernel = await bootKernel(t, {
  db,
  secrets: { dataDir },
  inlinePlugins: [{ definition: keeper('alpha', got) }, { definition: keeper('beta', got) }],
  enable: ['alpha', 'beta'],
});
const alpha = got.alpha!;
const beta = got.beta!;

t.test('a secret is stored sealed and read back by its plugin only', async (t) => {
  await alpha.set('repo.password', 'hunter2 ünï');
  t.equal(await alpha.get('repo.password'), 'hunter2 ünï');
  t.equal(await beta.get('repo.password'), undefined, 'another plugin has its own names');
  const row = await kernel.knex('hostplane.settings').where({ scope: 'secret:alpha', key: 'repo.password' }).first('value');
  t.notMatch(JSON.stringify(row.value), /hunter2/, 'never in the clear');
  // A copy of alpha's envelope under beta's scope does not decrypt (bound to the plugin id).
  await kernel.knex('hostplane.settings').insert({ scope: 'secret:beta', key: 'repo.password', value: row.value });
  await t.rejects(beta.get('repo.password'), { code: 'SECRETS_ERR_DECRYPT_FAILED' });
  await beta.delete('repo.password');
  t.same(await alpha.list(), ['repo.password']);
});

t.test('getOrCreate stores one value however many ask at once', async (t) => {
  let made = 0;
  const values = await Promise.all(Array.from({ length: 8 }, () => alpha.getOrCreate('key', () => `v${(made += 1)}`)));
  t.equal(new Set(values).size, 1, 'every caller answers the stored value');
  t.equal(await alpha.get('key'), values[0]);
});

t.test('bad names are refused', async (t) => {
  for (const bad of ['', 'Upper', '../x', 'a\0b', 'x'.repeat(300)]) {
    await t.rejects(alpha.get(bad), { code: 'SECRETS_ERR_PURPOSE_INVALID' }, JSON.stringify(bad));
  }
});

t.test('a key rotation re-encrypts plugin secrets and they still read', async (t) => {
  const before = await kernel.knex('hostplane.settings').where({ scope: 'secret:alpha', key: 'repo.password' }).first('value');
  const result = await kernel.secrets.rotate();
  t.ok((result.rewrapped['plugin secrets'] ?? 0) >= 2, 'counted in the rotation');
  const after = await kernel.knex('hostplane.settings').where({ scope: 'secret:alpha', key: 'repo.password' }).first('value');
  t.not(JSON.stringify(after.value), JSON.stringify(before.value));
  t.equal(await alpha.get('repo.password'), 'hunter2 ünï');
  t.equal((await kernel.secrets.status()).encrypted['plugin secrets'], 2);
});
