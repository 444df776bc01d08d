/**
 * The outsider's path end to end: the SDK and the testing kit packed, a plugin made with
 * `hostplane plugin new` in a folder outside the repository, installed from the tarballs and the
 * registry, built with its own tsc, and its own tests run with its own tap. Takes a minute or so.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createOutsiderPlugin, installFromTarballs, killAll, registryReachable, REPO, run } from './helpers/outsider.js';

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
  });
}
