#!/usr/bin/env node
/**
 * The last step of `npm run build`: sign every first-party plugin of this checkout. Release
 * builds (CI) give the release key in HOSTPLANE_FIRST_PARTY_SIGNING_KEY (a PKCS#8 PEM from CI
 * secrets) and ship its public half in core; a development build uses this checkout's own build
 * key in `.signing/` (made here on first use, never committed), which only a host running from
 * this checkout trusts. See docs/decisions/0010-plugin-signing.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPublicKey, generateSignerKeyPair, parsePrivateKey, signPackage, writeNewFile } from '@hostplane/core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const keyDir = join(root, '.signing');
const keyFile = join(keyDir, 'first-party.key');

async function privateKey() {
  const fromCi = process.env.HOSTPLANE_FIRST_PARTY_SIGNING_KEY;
  if (fromCi) return { key: parsePrivateKey(fromCi, 'HOSTPLANE_FIRST_PARTY_SIGNING_KEY'), signer: 'Hostplane release' };
  if (!existsSync(keyFile)) {
    await mkdir(keyDir, { recursive: true, mode: 0o700 });
    const { privatePem, key } = generateSignerKeyPair();
    await writeNewFile(keyFile, privatePem, 0o600);
    await writeNewFile(join(keyDir, 'first-party.pub'), formatPublicKey(key), 0o644);
    process.stdout.write(`sign-first-party: made this checkout's build key ${key.keyId} in ${keyDir}\n`);
  }
  return { key: parsePrivateKey(await readFile(keyFile, 'utf8'), keyFile), signer: 'Hostplane development build' };
}

const { key, signer } = await privateKey();
const pluginsDir = join(root, 'plugins');
for (const entry of (await readdir(pluginsDir, { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .sort((a, b) => a.name.localeCompare(b.name))) {
  const dir = join(pluginsDir, entry.name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const doc = await signPackage(dir, key, signer);
  process.stdout.write(`sign-first-party: ${entry.name} signed by ${doc.keyId} (${doc.files.length} files)\n`);
}
