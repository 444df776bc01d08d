/**
 * The plugins admin page shows who signed each package and whether this install trusts it, over
 * plain HTTP (no JavaScript): a trusted signer by the name the admin gave, an unsigned package
 * with the refusal it will meet, and built-in plugins as not checked.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateSignerKeyPair, parsePrivateKey, signPackage, trustSigner } from '@hostplane/core';
import { PANEL_DIR } from './support/browser.js';
import { startPanelHost, type PanelHost } from './support/panel-host.js';

const built = existsSync(path.join(PANEL_DIR, 'build', 'server', 'index.js'));

async function dropIn(dir: string, id: string): Promise<string> {
  const root = path.join(dir, id);
  await mkdir(root, { recursive: true });
  const pkg = { name: id, version: '1.0.0', type: 'module', hostplane: { id, sdk: '^0.1.0', displayName: `Demo ${id}` } };
  await writeFile(path.join(root, 'package.json'), JSON.stringify(pkg));
  await writeFile(path.join(root, 'index.js'), 'export default {};\n');
  return root;
}

if (!built && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') {
  t.fail('the panel is not built (npm run build -w @hostplane/panel)');
} else if (!built) {
  t.plan(0, 'skipped: the panel is not built (npm run build -w @hostplane/panel)');
} else {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-panel-signed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const signer = generateSignerKeyPair();
  await signPackage(await dropIn(dir, 'signed-demo'), parsePrivateKey(signer.privatePem, 'test'), 'Acme');
  await dropIn(dir, 'unsigned-demo');
  let host: PanelHost;
  t.before(async () => {
    host = await startPanelHost({ webServer: false, runWorkers: false, discovery: { dropInDirs: [dir] }, signing: {} });
    await trustSigner(host.kernel.knex, signer.key.publicKey, 'Acme Plugins');
    await host.kernel.refreshSignatures();
  });
  t.teardown(() => host?.close());

  t.test('each plugin row says who signed it and whether it may be enabled', async (t) => {
    const login = await fetch(`${host.url}/login`, {
      method: 'POST',
      body: new URLSearchParams(host.logins.admin),
      headers: { origin: host.url },
      redirect: 'manual',
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('hp_session='));
    t.ok(cookie, 'signed in');
    const html = await (await fetch(`${host.url}/admin/plugins`, { headers: { cookie: cookie! } })).text();
    const cell = (state: string) =>
      [...html.matchAll(/<p[^>]*data-testid="plugin-signature"[^>]*data-state="([^"]+)"[^>]*>(.*?)<\/p>/g)]
        .filter((m) => m[1] === state)
        .map((m) =>
          m[2]!
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        );
    t.match(cell('trusted'), [`Signed by Acme Plugins (key ${signer.key.keyId})`]);
    t.match(cell('unsigned'), ['Not signed Enabling is refused until it is signed by a trusted key']);
    t.ok(cell('not-checked').length >= 3, 'the built-in plugins handed over in-process');

    const detail = await (await fetch(`${host.url}/admin/plugins/signed-demo`, { headers: { cookie: cookie! } })).text();
    t.match(detail, `Signed by Acme Plugins (key ${signer.key.keyId})`);
  });
}
