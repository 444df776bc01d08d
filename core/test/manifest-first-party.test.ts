/**
 * Every first-party plugin's manifest is one the kernel accepts: a manifest it refuses makes
 * discovery skip the package with only a warning, so a new capability missing from the
 * manifest pattern would leave the plugin out of every install without failing a test that
 * hands plugins in-process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { validateManifest } from '../src/registry/manifest.js';

const plugins = fileURLToPath(new URL('../../plugins/', import.meta.url));

for (const dir of readdirSync(plugins)) {
  const file = join(plugins, dir, 'package.json');
  t.test(dir, async (t) => {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof validateManifest>[0];
    const manifest = validateManifest(pkg, file);
    t.equal(manifest.id, dir, 'its id is its folder name');
  });
}
