/**
 * Plugin signing: ed25519 over the manifest and every file's hash; a change after signing is
 * found; the kernel refuses unsigned, untrusted and tampered packages (403 codes) unless the
 * admin allowed the id, refuses a first-party id not signed by the first-party key whatever the
 * allowances, and fails an enabled plugin whose package no longer verifies at boot.
 */
import { appendFile, mkdir, readFile, symlink, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  allowUnsigned,
  generateSignerKeyPair,
  parsePrivateKey,
  revokeUnsigned,
  signPackage,
  trustSigner,
  untrustSigner,
  verifyPackage,
  SIGNATURE_FILE,
  canonicalJson,
} from '../src/signing/index.js';
import { bootKernel, pluginSource, sharedDatabase, tempPluginsDir, writePlugin } from './support/kernel.js';

const imported = (): string[] => (globalThis as { imported?: string[] }).imported ?? [];

function keyPair() {
  const { privatePem, key } = generateSignerKeyPair();
  return { key, privateKey: parsePrivateKey(privatePem, 'test') };
}

async function hello(dir: string, id = 'hello', folder = id): Promise<string> {
  // Its top level leaves a mark, so a test can tell whether its code was ever imported.
  const source = `globalThis.imported = [...(globalThis.imported ?? []), ${JSON.stringify(id)}];\n${pluginSource(id)}`;
  const root = await writePlugin(dir, folder, { hostplane: { id, sdk: '^0.1.0' } }, source);
  await mkdir(join(root, 'lib'), { recursive: true });
  await writeFile(join(root, 'lib', 'util.js'), 'export const x = 1;\n');
  await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'ignored');
  return root;
}

t.test('canonical JSON sorts keys at every depth', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
});

t.test('a signed package verifies; a change after signing is found and named', async (t) => {
  const dir = await tempPluginsDir();
  const root = await hello(dir);
  const { key, privateKey } = keyPair();
  const doc = await signPackage(root, privateKey, 'Test Signer');
  t.same(
    doc.files.map((f) => f.path),
    ['index.js', 'lib/util.js', 'package.json'],
    'sorted; node_modules and the signature file left out',
  );
  t.match(await verifyPackage(root), { state: 'valid', keyId: key.keyId, signer: 'Test Signer' });

  await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'still ignored');
  t.match(await verifyPackage(root), { state: 'valid' }, 'node_modules is not covered');

  await appendFile(join(root, 'lib', 'util.js'), 'export const evil = 1;\n');
  t.match(await verifyPackage(root), { state: 'invalid', problem: 'lib/util.js was changed after signing' });
  await writeFile(join(root, 'lib', 'util.js'), 'export const x = 1;\n');
  t.match(await verifyPackage(root), { state: 'valid' }, 'the same bytes verify again');

  await writeFile(join(root, 'extra.js'), 'x');
  t.match(await verifyPackage(root), { state: 'invalid', problem: 'extra.js was added after signing' });
  await rm(join(root, 'extra.js'));

  const sig = JSON.parse(await readFile(join(root, SIGNATURE_FILE), 'utf8'));
  sig.manifest.hostplane.permissions = ['db'];
  await writeFile(join(root, SIGNATURE_FILE), JSON.stringify(sig));
  t.match(
    await verifyPackage(root),
    { state: 'invalid', problem: /signature does not match/ },
    'the signed content cannot be edited',
  );

  await signPackage(root, privateKey, 'Test Signer');
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  pkg.hostplane.permissions = ['db'];
  await writeFile(join(root, 'package.json'), JSON.stringify(pkg));
  t.match(await verifyPackage(root), { state: 'invalid' }, 'nor can the manifest');

  await writeFile(join(root, SIGNATURE_FILE), '{not json');
  t.match(await verifyPackage(root), { state: 'invalid', problem: /hostplane.sig.json/ });
  await rm(join(root, SIGNATURE_FILE));
  t.same(await verifyPackage(root), { state: 'unsigned' });
});

t.test('a symbolic link out of the package cannot be signed or verified', async (t) => {
  const dir = await tempPluginsDir();
  const root = await hello(dir);
  const { privateKey } = keyPair();
  await symlink('/etc/hostname', join(root, 'outside.js'));
  await t.rejects(signPackage(root, privateKey, 'x'), { code: 'SIGNING_ERR_PACKAGE_INVALID', message: /outside the package/ });
  await rm(join(root, 'outside.js'));
  await signPackage(root, privateKey, 'x');
  await symlink('../../../../etc/hostname', join(root, 'lib', 'sneaky.js'));
  t.match(await verifyPackage(root), { state: 'invalid', problem: /outside the package/ });
  await rm(join(root, 'lib', 'sneaky.js'));
  await symlink('util.js', join(root, 'lib', 'alias.js'));
  t.match(
    await verifyPackage(root),
    { state: 'invalid', problem: 'lib/alias.js was added after signing' },
    'a link inside is covered',
  );
});

t.test('the kernel refuses unsigned and untrusted plugins unless the admin allows them', async (t) => {
  const db = await sharedDatabase(t);
  const dir = await tempPluginsDir();
  await hello(dir, 'hello');
  const signedRoot = await hello(dir, 'greeter');
  const signer = keyPair();
  await signPackage(signedRoot, signer.privateKey, 'Acme Plugins');
  const kernel = await bootKernel(t, { db, discovery: { dropInDirs: [dir] }, signing: {} });

  t.match(kernel.plugin('hello')?.signature, { state: 'unsigned', signer: null, allowed: false });
  await t.rejects(kernel.enable('hello'), { code: 'KERNEL_ERR_PLUGIN_UNSIGNED', statusCode: 403 });
  t.equal(kernel.plugin('hello')?.enabled, false, 'nothing stored');
  await t.rejects(kernel.getConfig('hello'), { code: 'KERNEL_ERR_PLUGIN_UNSIGNED' }, 'nor is its config schema loaded');
  t.notOk(imported().includes('hello'), 'its code was never imported');
  await allowUnsigned(kernel.knex, 'hello');
  t.equal((await kernel.enable('hello')).state, 'started');
  t.match(kernel.plugin('hello')?.signature, { state: 'unsigned', allowed: true });

  t.match(kernel.plugin('greeter')?.signature, { state: 'untrusted', signer: { keyId: signer.key.keyId, name: null } });
  await t.rejects(kernel.enable('greeter'), { code: 'KERNEL_ERR_PLUGIN_SIGNER_UNTRUSTED', statusCode: 403 });
  await trustSigner(kernel.knex, signer.key.publicKey, 'Acme Plugins');
  t.equal((await kernel.enable('greeter')).state, 'started');
  t.match(kernel.plugin('greeter')?.signature, { state: 'trusted', signer: { name: 'Acme Plugins', firstParty: false } });

  // Changed after it was enabled: the next boot marks it failed, with the reason.
  await appendFile(join(signedRoot, 'index.js'), '\n// changed\n');
  await revokeUnsigned(kernel.knex, 'hello');
  await kernel.stop();
  const again = await bootKernel(t, { db, discovery: { dropInDirs: [dir] }, signing: {} });
  t.match(again.plugin('greeter'), {
    state: 'failed',
    error: { phase: 'signature', message: /index.js was changed after signing/ },
    signature: { state: 'invalid' },
  });
  t.match(again.plugin('hello'), { state: 'failed', error: { phase: 'signature', message: /not signed/ } });
  await t.rejects(again.enable('greeter'), { code: 'KERNEL_ERR_PLUGIN_SIGNATURE_INVALID', statusCode: 403 });

  await untrustSigner(again.knex, signer.key.keyId);
  await signPackage(signedRoot, signer.privateKey, 'Acme Plugins');
  await again.refreshSignatures();
  t.match(again.plugin('greeter')?.signature, { state: 'untrusted' }, 'an untrusted key stays untrusted once re-signed');
});

t.test('a first-party id is refused unless the first-party key signed it', async (t) => {
  const db = await sharedDatabase(t);
  const dir = await tempPluginsDir();
  const fake = await hello(dir, 'billing');
  const dns = await hello(dir, 'dns-evil');
  const attacker = keyPair();
  const firstParty = keyPair();
  await signPackage(fake, attacker.privateKey, 'Hostplane');
  await signPackage(dns, attacker.privateKey, 'Hostplane');
  const kernel = await bootKernel(t, {
    db,
    discovery: { dropInDirs: [dir] },
    signing: { firstPartyKeys: [firstParty.key.publicKey] },
  });
  await trustSigner(kernel.knex, attacker.key.publicKey, 'Some reseller');
  await allowUnsigned(kernel.knex, 'billing');
  await kernel.refreshSignatures();
  t.match(kernel.plugin('billing')?.signature, { state: 'untrusted', problem: /first-party id/ });
  await t.rejects(kernel.enable('billing'), { code: 'KERNEL_ERR_PLUGIN_FIRST_PARTY_ID', statusCode: 403 }, 'even when allowed');
  await t.rejects(kernel.enable('dns-evil'), { code: 'KERNEL_ERR_PLUGIN_FIRST_PARTY_ID' }, 'reserved prefixes too');

  // The first-party signature file of another package, copied in: names the key, does not verify.
  const genuine = await hello(await tempPluginsDir(), 'billing');
  await signPackage(genuine, firstParty.privateKey, 'Hostplane');
  await writeFile(join(fake, SIGNATURE_FILE), await readFile(join(genuine, SIGNATURE_FILE)));
  await appendFile(join(fake, 'index.js'), '\n// the impostor\n');
  await t.rejects(
    kernel.enable('billing'),
    { code: 'KERNEL_ERR_PLUGIN_SIGNATURE_INVALID' },
    'a copied signature, allowed or not',
  );

  await signPackage(fake, firstParty.privateKey, 'Hostplane');
  t.equal((await kernel.enable('billing')).state, 'started');
  t.match(kernel.plugin('billing')?.signature, {
    state: 'trusted',
    signer: { firstParty: true, name: 'Hostplane (first-party)' },
  });
});

t.test('trusted keys and names are checked', async (t) => {
  const db = await sharedDatabase(t);
  const kernel = await bootKernel(t, { db });
  await t.rejects(trustSigner(kernel.knex, 'not a key', 'x'), { code: 'SIGNING_ERR_KEY_INVALID' });
  const { key } = keyPair();
  await t.rejects(trustSigner(kernel.knex, key.publicKey, ''), { code: 'SIGNING_ERR_NAME_INVALID' });
  await t.rejects(trustSigner(kernel.knex, key.publicKey, 'a\u0000b'), { code: 'SIGNING_ERR_NAME_INVALID' });
  await t.rejects(untrustSigner(kernel.knex, '0123456789abcdef'), { code: 'SIGNING_ERR_SIGNER_NOT_FOUND' });
  await t.rejects(revokeUnsigned(kernel.knex, 'nope'), { code: 'SIGNING_ERR_ALLOWANCE_NOT_FOUND' });
  await t.rejects(allowUnsigned(kernel.knex, 'Bad Id'), /violates check constraint/);
});
