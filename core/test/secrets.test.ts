/**
 * Secrets at rest: AES-256-GCM envelopes bound to their purpose and context, plugin config
 * secrets sealed in the database and decrypted for their own plugin only, the key file, a
 * rotation interrupted at either side of its commit, and a missing key.
 */
import { mkdtemp, readFile, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import pg from 'pg';
import { definePlugin, Secret, Type } from '@hostplane/sdk';
import { migrateCore } from '../src/db/core-migrator.js';
import { openDatabase } from '../src/db/open-database.js';
import {
  decryptSecret,
  encryptSecret,
  generateSecretKey,
  KEY_FILE,
  NEXT_KEY_FILE,
  openKeyring,
  parseKey,
  formatKey,
} from '../src/secrets/index.js';
import { bootKernel, sharedDatabase } from './support/kernel.js';

const keys = (...list: ReturnType<typeof generateSecretKey>[]) => new Map(list.map((k) => [k.id, k]));

t.test('an envelope round-trips and names its key', async (t) => {
  const key = generateSecretKey();
  const envelope = encryptSecret(key, 'plugin-config', 'hello\0/apiKey', 'hunter2 ünïcode');
  t.match(envelope, new RegExp(`^hpsec:1:${key.id}:`));
  t.notMatch(envelope, /hunter2/);
  t.equal(decryptSecret(keys(key), 'plugin-config', 'hello\0/apiKey', envelope), 'hunter2 ünïcode');
  t.not(encryptSecret(key, 'plugin-config', 'c', 'x'), encryptSecret(key, 'plugin-config', 'c', 'x'), 'a fresh IV each time');
});

t.test('a tampered envelope, or one moved to another context or purpose, does not decrypt', async (t) => {
  const key = generateSecretKey();
  const envelope = encryptSecret(key, 'plugin-config', 'hello\0/apiKey', 'hunter2');
  const parts = envelope.split(':');
  const ct = Buffer.from(parts[4]!, 'base64url');
  ct[0] = ct[0]! ^ 1;
  const tampered = [...parts.slice(0, 4), ct.toString('base64url'), parts[5]].join(':');
  t.throws(() => decryptSecret(keys(key), 'plugin-config', 'hello\0/apiKey', tampered), { code: 'SECRETS_ERR_DECRYPT_FAILED' });
  t.throws(() => decryptSecret(keys(key), 'plugin-config', 'other\0/apiKey', envelope), { code: 'SECRETS_ERR_DECRYPT_FAILED' });
  t.throws(() => decryptSecret(keys(key), 'plugin-config', 'hello\0/token', envelope), { code: 'SECRETS_ERR_DECRYPT_FAILED' });
  t.throws(() => decryptSecret(keys(key), 'database-role', 'hello\0/apiKey', envelope), { code: 'SECRETS_ERR_DECRYPT_FAILED' });
  t.throws(() => decryptSecret(keys(generateSecretKey()), 'plugin-config', 'hello\0/apiKey', envelope), {
    code: 'SECRETS_ERR_KEY_MISSING',
  });
  for (const bad of ['', 'hpsec:1:zz', `hpsec:2:${key.id}:a:b:c`, 'hpsec:1:0123456789abcdef:!!:b:c', 'x'.repeat(300000)]) {
    t.throws(() => decryptSecret(keys(key), 'plugin-config', 'c', bad), { code: 'SECRETS_ERR_ENVELOPE_INVALID' });
  }
  t.throws(() => encryptSecret(key, 'Bad Purpose', 'c', 'x'), { code: 'SECRETS_ERR_PURPOSE_INVALID' });
});

t.test('a key parses from its file text or bare base64, and nothing else', async (t) => {
  const key = generateSecretKey();
  t.equal(parseKey(formatKey(key), 'f').id, key.id);
  t.equal(parseKey(key.material.toString('base64'), 'env').id, key.id);
  t.throws(() => parseKey('c2hvcnQ=', 'HOSTPLANE_SECRET_KEY'), {
    code: 'SECRETS_ERR_KEY_INVALID',
    message: /HOSTPLANE_SECRET_KEY/,
  });
  t.throws(() => parseKey('not base64 at all!', 'f'), { code: 'SECRETS_ERR_KEY_INVALID' });
});

/** A plugin with nested secrets that keeps the config it was started with. */
function secretive(id: string, seen: Array<Record<string, unknown>>) {
  return definePlugin({
    id,
    sdk: '^0.1.0',
    config: Type.Object({
      apiKey: Secret(Type.String({ default: '' })),
      region: Type.String({ default: 'eu' }),
      db: Type.Object({ password: Secret(Type.String({ default: '' })) }, { default: {} }),
    }),
    start(ctx) {
      seen.push(ctx.config as Record<string, unknown>);
    },
  });
}

async function storedConfig(url: string, id: string): Promise<{ text: string; sealed: boolean }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select config::text as text, secrets_sealed as sealed from hostplane.plugins where id = $1',
      [id],
    );
    return rows[0] as { text: string; sealed: boolean };
  } finally {
    await client.end();
  }
}

async function sql(url: string, text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

t.test('config secrets are sealed in the database and decrypted for their own plugin only', async (t) => {
  const db = await sharedDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const seen: Array<Record<string, unknown>> = [];
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir },
    inlinePlugins: [{ definition: secretive('alpha', seen) }, { definition: secretive('beta', []) }],
    enable: ['alpha', 'beta'],
  });
  const keyStat = await stat(join(dataDir, KEY_FILE));
  t.equal(keyStat.mode & 0o777, 0o600, 'the key file created at first start is 0600');

  await kernel.setConfig('alpha', { apiKey: 'sk_live_PLAINTEXT', db: { password: 'pw-PLAINTEXT' } });
  await kernel.setConfig('beta', { apiKey: 'beta-key' });
  const row = await storedConfig(db.url, 'alpha');
  t.notMatch(row.text, /PLAINTEXT/, 'no plaintext in the stored row');
  t.match(row.text, /hpsec:1:/);
  t.equal(row.sealed, true);
  t.same(
    seen.at(-1),
    { apiKey: 'sk_live_PLAINTEXT', region: 'eu', db: { password: 'pw-PLAINTEXT' } },
    'the plugin sees plaintext',
  );
  t.same(await kernel.getConfig('alpha'), { apiKey: '********', region: 'eu', db: { password: '********' } });
  t.same((await kernel.getConfig('alpha', { revealSecrets: true })).apiKey, 'sk_live_PLAINTEXT');

  // The mask sent back keeps the sealed value byte for byte.
  await kernel.setConfig('alpha', { apiKey: '********', region: 'us', db: { password: '********' } });
  const again = await storedConfig(db.url, 'alpha');
  t.equal(JSON.parse(again.text).apiKey.$hostplaneSecret, JSON.parse(row.text).apiKey.$hostplaneSecret);

  // A ciphertext copied into another plugin's row does not decrypt there: beta fails, visibly.
  await sql(
    db.url,
    `update hostplane.plugins set config = jsonb_set(config, '{apiKey}', (select config->'apiKey' from hostplane.plugins where id = 'alpha')) where id = 'beta'`,
  );
  await kernel.reconcile('beta');
  const beta = kernel.plugin('beta');
  t.equal(beta?.state, 'failed');
  t.equal(beta?.error?.phase, 'config');
  t.match(beta?.error?.message, /does not decrypt/);
  t.equal(kernel.plugin('alpha')?.state, 'started', 'the other plugin keeps running');
});

t.test('configs stored before encryption are sealed at the first start', async (t) => {
  const db = await sharedDatabase(t);
  const handle = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 2 });
  for (let i = 0; i < 5; i++) await migrateCore(handle.knex, 'up');
  await handle.knex('hostplane.plugins').insert({
    id: 'alpha',
    version: '0.0.0',
    enabled: true,
    config: JSON.stringify({ apiKey: 'legacy-PLAINTEXT' }),
  });
  await migrateCore(handle.knex, 'latest');
  t.equal((await storedConfig(db.url, 'alpha')).sealed, false, 'the migration marks it pending');
  await handle.close();

  const seen: Array<Record<string, unknown>> = [];
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir: await mkdtemp(join(tmpdir(), 'hostplane-secrets-')) },
    inlinePlugins: [{ definition: secretive('alpha', seen) }],
  });
  t.equal(kernel.plugin('alpha')?.state, 'started');
  t.equal(seen[0]?.apiKey, 'legacy-PLAINTEXT');
  const row = await storedConfig(db.url, 'alpha');
  t.notMatch(row.text, /PLAINTEXT/);
  t.equal(row.sealed, true);
  t.same((await kernel.secrets.status()).pendingPlugins, []);
});

t.test('a host without the key refuses to start and says what to restore', async (t) => {
  const db = await sharedDatabase(t);
  const first = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir: first },
    inlinePlugins: [{ definition: secretive('alpha', []) }],
  });
  await kernel.setConfig('alpha', { apiKey: 'x' });
  await kernel.stop();

  const empty = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  await t.rejects(bootKernel(t, { db, secrets: { dataDir: empty }, inlinePlugins: [{ definition: secretive('alpha', []) }] }), {
    code: 'SECRETS_ERR_KEY_MISSING',
    message: /Restore the key file/,
  });
  t.same(await readdir(empty), [], 'no new key was written beside the missing one');
  const wrong = generateSecretKey().material.toString('base64');
  await t.rejects(bootKernel(t, { db, secrets: { key: wrong }, inlinePlugins: [{ definition: secretive('alpha', []) }] }), {
    code: 'SECRETS_ERR_KEY_MISSING',
    message: /HOSTPLANE_SECRET_KEY holds key/,
  });
});

t.test('rotate-key re-encrypts everything; a crash on either side of the commit loses nothing', async (t) => {
  const db = await sharedDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir },
    inlinePlugins: [{ definition: secretive('alpha', []) }, { definition: secretive('beta', []) }],
  });
  await kernel.setConfig('alpha', { apiKey: 'a-secret', db: { password: 'p' } });
  await kernel.setConfig('beta', { apiKey: 'b-secret' });
  const original = (await kernel.secrets.status()).keyId;
  const keyText = await readFile(join(dataDir, KEY_FILE), 'utf8');

  // Crash before commit: nothing changed, the stray next file is cleaned up.
  await t.rejects(
    kernel.secrets.rotate({
      beforeCommit: () => {
        throw new Error('power cut');
      },
    }),
    /power cut/,
  );
  t.equal(await readFile(join(dataDir, KEY_FILE), 'utf8'), keyText);
  t.equal(await kernel.secrets.activeKeyId(), original);
  t.same((await readdir(dataDir)).sort(), [KEY_FILE]);
  t.equal((await kernel.getConfig('alpha', { revealSecrets: true })).apiKey, 'a-secret');

  // Crash after commit, before the rename: the next open finishes the rotation.
  await t.rejects(
    kernel.secrets.rotate({
      afterCommit: () => {
        throw new Error('power cut');
      },
    }),
    /power cut/,
  );
  const rotatedTo = await kernel.secrets.activeKeyId();
  t.not(rotatedTo, original);
  t.ok((await readdir(dataDir)).includes(NEXT_KEY_FILE), 'the new key waits in the next file');
  const handle = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 1 });
  t.teardown(() => handle.close());
  const reopened = await openKeyring(handle.knex, { dataDir });
  t.equal(reopened.active.id, rotatedTo);
  t.same((await readdir(dataDir)).sort(), [KEY_FILE], 'the rename was finished');
  t.not(await readFile(join(dataDir, KEY_FILE), 'utf8'), keyText);
  await kernel.stop();

  // A whole rotation, then a fresh kernel on the rotated key reads everything.
  const seen: Array<Record<string, unknown>> = [];
  const next = await bootKernel(t, {
    db,
    secrets: { dataDir },
    inlinePlugins: [{ definition: secretive('alpha', seen) }, { definition: secretive('beta', []) }],
    enable: ['alpha'],
  });
  const result = await next.secrets.rotate();
  t.equal(result.oldKeyId, rotatedTo);
  t.same(result.rewrapped, { 'plugin configs': 3, 'database role passwords': 0, 'plugin secrets': 0 });
  t.equal(seen[0]?.apiKey, 'a-secret');
  t.equal((await next.getConfig('beta', { revealSecrets: true })).apiKey, 'b-secret');
  const row = await storedConfig(db.url, 'beta');
  t.match(row.text, new RegExp(`hpsec:1:${result.newKeyId}:`));
  t.equal((await stat(join(dataDir, KEY_FILE))).mode & 0o777, 0o600);
});

t.test('decrypt-all writes secrets back in the clear so the core schema can go down', async (t) => {
  const db = await sharedDatabase(t);
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir: await mkdtemp(join(tmpdir(), 'hostplane-secrets-')) },
    inlinePlugins: [{ definition: secretive('alpha', []) }],
  });
  await kernel.setConfig('alpha', { apiKey: 'a-secret' });
  // Down through the migrations after it (roles, signing), then refused at 0006 itself.
  const downToSecrets = async () => {
    for (;;) if ((await migrateCore(kernel.knex, 'down'))[0] === '0007_plugin_signing') break;
    await migrateCore(kernel.knex, 'down');
  };
  await t.rejects(downToSecrets(), { message: /hostplane secrets decrypt-all/ });
  t.same(await kernel.secrets.decryptAll(), { 'plugin configs': 1, 'database role passwords': 0 });
  t.match((await storedConfig(db.url, 'alpha')).text, /a-secret/);
  t.same(await migrateCore(kernel.knex, 'down'), ['0006_secrets']);
});

t.test('a running kernel follows a rotation another process made', async (t) => {
  const db = await sharedDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const plugins = () => [{ definition: secretive('alpha', []) }];
  const running = await bootKernel(t, { db, secrets: { dataDir }, inlinePlugins: plugins(), listen: false });
  await running.setConfig('alpha', { apiKey: 'before' });
  const cli = await bootKernel(t, { db, secrets: { dataDir }, inlinePlugins: plugins(), mode: 'admin' });
  const { newKeyId } = await cli.secrets.rotate();
  await cli.stop();

  t.equal((await running.getConfig('alpha', { revealSecrets: true })).apiKey, 'before', 'old values in memory still read');
  await running.setConfig('alpha', { apiKey: 'after' });
  t.match((await storedConfig(db.url, 'alpha')).text, new RegExp(`hpsec:1:${newKeyId}:`), 'new values under the new key');
  await running.reconcile();
  t.equal((await running.getConfig('alpha', { revealSecrets: true })).apiKey, 'after');
});

t.test('with the key in the environment, rotation takes the new key from HOSTPLANE_NEW_SECRET_KEY', async (t) => {
  const db = await sharedDatabase(t);
  const oldKey = generateSecretKey().material.toString('base64');
  const newKey = generateSecretKey().material.toString('base64');
  const plugins = () => [{ definition: secretive('alpha', []) }];
  const kernel = await bootKernel(t, { db, secrets: { key: oldKey }, inlinePlugins: plugins() });
  await kernel.setConfig('alpha', { apiKey: 'env-secret' });
  await t.rejects(kernel.secrets.rotate(), { code: 'SECRETS_ERR_ROTATION_NEEDS_KEY' });
  await kernel.stop();

  const rotating = await bootKernel(t, { db, secrets: { key: oldKey, newKey }, inlinePlugins: plugins() });
  const result = await rotating.secrets.rotate();
  t.match(result.followUp, /HOSTPLANE_SECRET_KEY/);
  await rotating.stop();
  // Before the operator swapped the variables, and after.
  const between = await bootKernel(t, { db, secrets: { key: oldKey, newKey }, inlinePlugins: plugins() });
  t.equal((await between.getConfig('alpha', { revealSecrets: true })).apiKey, 'env-secret');
  await between.stop();
  const swapped = await bootKernel(t, { db, secrets: { key: newKey }, inlinePlugins: plugins() });
  t.equal((await swapped.getConfig('alpha', { revealSecrets: true })).apiKey, 'env-secret');
  await swapped.stop();
  await t.rejects(bootKernel(t, { db, secrets: { key: oldKey }, inlinePlugins: plugins() }), { code: 'SECRETS_ERR_KEY_MISSING' });
});

t.test('two first starts sharing a folder agree on one key', async (t) => {
  const db = await sharedDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const handles = await Promise.all([1, 2].map(() => openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 2 })));
  t.teardown(() => Promise.all(handles.map((h) => h.close())));
  await migrateCore(handles[0]!.knex, 'latest');
  const [a, b] = await Promise.all(handles.map((h) => openKeyring(h.knex, { dataDir })));
  t.equal(a!.active.id, b!.active.id);
  t.equal(parseKey(await readFile(join(dataDir, KEY_FILE), 'utf8'), 'file').id, a!.active.id, 'the file holds that key');
  t.same(await readdir(dataDir), [KEY_FILE], 'no temporary file left');
});

t.test('a keyring opened while a rotation runs waits for it and sees its outcome', async (t) => {
  const db = await sharedDatabase(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-secrets-'));
  const kernel = await bootKernel(t, { db, secrets: { dataDir }, inlinePlugins: [{ definition: secretive('alpha', []) }] });
  await kernel.setConfig('alpha', { apiKey: 'kept' });
  const other = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 2 });
  t.teardown(() => other.close());
  let opening: Promise<{ id: string }> | undefined;
  let openedEarly = false;
  const result = await kernel.secrets.rotate({
    beforeCommit: async () => {
      opening = openKeyring(other.knex, { dataDir }).then((k) => k.active);
      void opening.then(() => (openedEarly = true));
      await new Promise((r) => setTimeout(r, 300));
      t.notOk(openedEarly, 'it did not judge the key files during the rotation');
    },
  });
  t.equal((await opening!).id, result.newKeyId);
  t.same(await readdir(dataDir), [KEY_FILE]);
  t.equal((await kernel.getConfig('alpha', { revealSecrets: true })).apiKey, 'kept');
});

t.test('a config sent in with a sealed-looking value is refused as invalid, not decrypted', async (t) => {
  const db = await sharedDatabase(t);
  const kernel = await bootKernel(t, {
    db,
    secrets: { dataDir: await mkdtemp(join(tmpdir(), 'hostplane-secrets-')) },
    inlinePlugins: [{ definition: secretive('alpha', []) }],
  });
  await kernel.setConfig('alpha', { apiKey: 'real' });
  const stolen = JSON.parse((await storedConfig(db.url, 'alpha')).text).apiKey;
  await t.rejects(kernel.setConfig('alpha', { apiKey: stolen, region: 'x' }), {
    code: 'KERNEL_ERR_CONFIG_INVALID',
    statusCode: 400,
    details: [{ field: '/apiKey' }],
  });
  await t.rejects(kernel.setConfig('alpha', { db: { password: { $hostplaneSecret: 'hpsec:1:0123456789abcdef:a:b:c' } } }), {
    code: 'KERNEL_ERR_CONFIG_INVALID',
  });
});
