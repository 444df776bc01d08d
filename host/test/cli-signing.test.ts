/**
 * The command line of plugin signing and secrets at rest, with exit codes: keygen, sign and
 * verify on files; enable refused for an unsigned drop-in and allowed once its signer is trusted;
 * secrets status and rotate-key; a missing key file stops the CLI with what to restore.
 */
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase, listAudit, openDatabase } from '@hostplane/core';
import { cli, dropInHello } from './support/cli.js';

t.test('keygen, sign and verify work on files, with exit codes', async (t) => {
  const keys = await mkdtemp(join(tmpdir(), 'hostplane-keys-'));
  t.teardown(() => rm(keys, { recursive: true, force: true }));
  const keyFile = join(keys, 'signer.key');
  const made = await cli(['plugins', 'keygen', '--out', keyFile], {});
  t.equal(made.code, 0, made.err);
  t.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the private key is 0600');
  t.match(await readFile(`${keyFile}.pub`, 'utf8'), /^hostplane-signer:1:[A-Za-z0-9+/]{43}=\n$/);
  const again = await cli(['plugins', 'keygen', '--out', keyFile], {});
  t.equal(again.code, 1);
  t.match(again.err, /never overwritten/);
  t.equal((await cli(['plugins', 'keygen'], {})).code, 2, 'usage');

  const dir = join(await dropInHello(t), 'hello');
  t.equal((await cli(['plugins', 'verify', dir], {})).code, 1, 'unsigned');
  t.equal((await cli(['plugins', 'sign', dir], {})).code, 2, 'sign needs --key');
  const signed = await cli(['plugins', 'sign', dir, '--key', keyFile, '--name', 'Acme'], {});
  t.equal(signed.code, 0, signed.err);
  const verified = await cli(['plugins', 'verify', dir], {});
  t.equal(verified.code, 0, verified.err);
  t.match(verified.out, /valid: signed by key [0-9a-f]{16} \("Acme"\)/);
  await appendFile(join(dir, 'dist', 'index.js'), '\n// changed\n');
  const broken = await cli(['plugins', 'verify', dir], {});
  t.equal(broken.code, 1);
  t.match(broken.err, /invalid: dist\/index.js was changed after signing/);
});

t.test('enable refuses an unsigned drop-in until its signer is trusted; secrets rotate', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-signing-data-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const pluginsDir = await dropInHello(t);
  const env = {
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PLUGINS_DIR: pluginsDir,
    HOSTPLANE_LOG_LEVEL: 'error',
  };

  const refused = await cli(['plugins', 'enable', 'hello'], env);
  t.equal(refused.code, 1);
  t.match(refused.err, /KERNEL_ERR_PLUGIN_UNSIGNED: plugin "hello" is not signed/);

  const keyFile = join(dataDir, 'signer.key');
  t.equal((await cli(['plugins', 'keygen', '--out', keyFile], env)).code, 0);
  t.equal((await cli(['plugins', 'sign', join(pluginsDir, 'hello'), '--key', keyFile, '--name', 'Acme'], env)).code, 0);
  const untrusted = await cli(['plugins', 'enable', 'hello'], env);
  t.equal(untrusted.code, 1);
  t.match(untrusted.err, /KERNEL_ERR_PLUGIN_SIGNER_UNTRUSTED/);

  t.equal((await cli(['plugins', 'trust-key', `${keyFile}.pub`], env)).code, 2, 'trust-key needs --name');
  const trusted = await cli(['plugins', 'trust-key', `${keyFile}.pub`, '--name', 'Acme Plugins'], env);
  t.equal(trusted.code, 0, trusted.err);
  const enabled = await cli(['plugins', 'enable', 'hello'], env);
  t.equal(enabled.code, 0, enabled.err);
  const list = await cli(['plugins', 'list', '--json'], env);
  const hello = (JSON.parse(list.out) as Array<{ id: string; signature: unknown }>).find((p) => p.id === 'hello');
  t.match(hello?.signature, { state: 'trusted', signer: { name: 'Acme Plugins', firstParty: false } });
  const keys = await cli(['plugins', 'keys'], env);
  t.match(keys.out, /Acme Plugins/);
  t.equal((await cli(['plugins', 'allow-unsigned', 'Not An Id'], env)).code, 2);
  t.equal((await cli(['plugins', 'revoke-unsigned', 'hello'], env)).code, 1, 'nothing to revoke');
  t.equal((await cli(['plugins', 'allow-unsigned', 'hello'], env)).code, 0);
  t.equal((await cli(['plugins', 'revoke-unsigned', 'hello'], env)).code, 0);

  const status = await cli(['secrets', 'status', '--json'], env);
  t.equal(status.code, 0, status.err);
  const before = JSON.parse(status.out) as { keyId: string; keyFileMode: string; origin: { kind: string } };
  t.equal(before.origin.kind, 'file');
  t.equal(before.keyFileMode, '0600');
  const rotated = await cli(['secrets', 'rotate-key'], env);
  t.equal(rotated.code, 0, rotated.err);
  t.match(rotated.out, new RegExp(`rotated key ${before.keyId} → [0-9a-f]{16}`));
  const after = JSON.parse((await cli(['secrets', 'status', '--json'], env)).out) as { keyId: string };
  t.not(after.keyId, before.keyId);
  t.equal((await cli(['secrets', 'sideways'], env)).code, 2);

  const handle = await openDatabase({ url: db.url, dataDir, poolMax: 1 });
  const actions = (await listAudit(handle.knex, { limit: 50 })).map((e) => e.action).sort();
  await handle.close();
  t.same(actions, [
    'platform.plugin.unsigned_allowed',
    'platform.plugin.unsigned_revoked',
    'platform.plugin_signer.trusted',
    'platform.secret_key.rotated',
  ]);

  await rm(join(dataDir, 'secret.key'));
  const missing = await cli(['secrets', 'status'], env);
  t.equal(missing.code, 1);
  t.match(missing.err, /SECRETS_ERR_KEY_MISSING: .*Restore the key file/);
});
