/**
 * The outsider's path end to end: the SDK and the testing kit packed, a plugin made with
 * `hostplane plugin new` in a folder outside the repository, installed from the tarballs and the
 * registry, built with its own tsc, and its own tests run with its own tap; then copied into a
 * host's drop-in folder, signed there with the outsider's own CLI, and enabled on a running host
 * whose admin trusts the key, where it runs isolated. Takes a minute or so.
 */
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  createOutsiderPlugin,
  dropIn,
  installFromTarballs,
  killAll,
  outsiderCli,
  registryReachable,
  REPO,
  run,
} from './helpers/outsider.js';
import { startDropInHost } from './helpers/drop-in-host.js';

const required = process.env.HOSTPLANE_REQUIRE_SYSTEM === '1';
// npm install, tsc and a tap run of its own: minutes, not the suite's two.
t.setTimeout(10 * 60_000);
t.teardown(killAll);

if (!(await registryReachable(REPO))) {
  if (required) t.fail('the npm registry is unreachable (HOSTPLANE_REQUIRE_SYSTEM=1)');
  else t.plan(0, 'the npm registry is unreachable: the outsider path needs it to install tap and typescript');
} else {
  t.test('a plugin made by `hostplane plugin new` builds and passes its tests outside the repository', async (t) => {
    const plugin = await createOutsiderPlugin('acme-notes');
    t.teardown(plugin.cleanup);

    const sdkFiles = (await run('tar', ['-tzf', plugin.tarballs['@hostplane/sdk']!], plugin.root, 30_000)).stdout
      .split('\n')
      .filter(Boolean);
    t.ok(
      sdkFiles.includes('package/dist/index.d.ts') && sdkFiles.includes('package/LICENSE'),
      'the SDK ships types and a licence',
    );
    t.notOk(
      sdkFiles.some((f) => f.startsWith('package/src/') || f.endsWith('.map')),
      'the SDK ships no sources or source maps',
    );

    const install = await installFromTarballs(plugin);
    t.notMatch(install.stdout + install.stderr, /EBADENGINE/, 'no engine warnings on this Node');
    const installed = await readdir(join(plugin.dir, 'node_modules/@hostplane'));
    t.same(installed.sort(), ['core', 'host', 'sdk', 'testing'], 'the panel is not needed');

    const build = await run('npm', ['run', 'build'], plugin.dir, 180_000);
    t.equal(build.code, 0, 'npm run build', { output: build.stdout + build.stderr });
    t.ok((await readdir(join(plugin.dir, 'dist'))).includes('index.js'), 'dist/index.js built');

    const test = await run('npm', ['test'], plugin.dir, 300_000);
    t.equal(test.code, 0, 'npm test', { output: test.stdout.slice(-6000) + test.stderr.slice(-2000) });
    t.match(test.stdout, /# \{ total: \d+, pass: \d+ \}/, 'its tap run passed every assertion');

    // Signed in the drop-in folder (sign last: the copy is what the host checks).
    const { pluginsDir, dir } = await dropIn(plugin, 'acme-notes');
    const key = join(plugin.root, 'acme.key');
    const keygen = await outsiderCli(plugin, ['plugins', 'keygen', '--out', key], plugin.root);
    t.equal(keygen.code, 0, 'hostplane plugins keygen', { output: keygen.stderr });
    const sign = await outsiderCli(plugin, ['plugins', 'sign', dir, '--key', key, '--name', 'Acme'], plugin.root);
    t.equal(sign.code, 0, 'hostplane plugins sign', { output: sign.stderr });
    const verify = await outsiderCli(plugin, ['plugins', 'verify', dir], plugin.root);
    t.equal(verify.code, 0, 'hostplane plugins verify', { output: verify.stdout + verify.stderr });

    // A running host whose admin trusts the key: enabled there, it runs isolated.
    const host = await startDropInHost(t, { pluginsDir, trustKey: `${key}.pub`, signer: 'Acme' });
    const before = await host.call('admin', 'POST', '/v1/acme-notes/notes', { text: 'before' });
    t.equal(before.status, 404, 'not there before the admin enables it');
    const enabled = await host.call('admin', 'POST', '/v1/plugins/acme-notes/enable');
    t.equal(enabled.status, 200, 'enabled on the running host', { body: enabled.body });
    const listed = await host.call('admin', 'GET', '/v1/plugins');
    const item = (listed.body.items as Array<Record<string, unknown>>).find((p) => p.id === 'acme-notes');
    t.match(
      item,
      { source: 'drop-in', state: 'started', signature: { state: 'trusted', signer: { name: 'Acme' } } },
      'listed as a started drop-in, trusted as signed by Acme',
    );
    const note = await host.call('customer', 'POST', '/v1/acme-notes/notes', { text: 'from outside' });
    t.equal(note.status, 201, 'a customer adds a note', { body: note.body });
    const notes = await host.call('customer', 'GET', '/v1/acme-notes/notes');
    t.match(notes.body, { items: [{ text: 'from outside' }] }, 'and reads it back');
    const pids = execFileSync('pgrep', ['-u', 'hp-acme-notes'], { encoding: 'utf8' }).trim().split('\n');
    t.equal(pids.length, 1, 'its code runs in one process of its own user');
  });
}
