/**
 * Bundles TypeBox's ESM build into one module, `dist/vendor/typebox.js`, which the SDK loads at
 * run time through its `#typebox` import (package.json "imports"); types still come from
 * `@sinclair/typebox` itself.
 *
 * Why: TypeBox 0.34 ships as 266 small ES modules, and Node spends about 100 ms resolving,
 * reading and linking them (and keeps about 12 MB more resident) against about 12 ms for the
 * same code as one file. Every plugin loads the SDK, and an isolated plugin pays that in each
 * process start. Schemas made by this copy are the same plain objects (TypeBox marks them with
 * `Symbol.for(...)` keys), so the kernel's own TypeBox validates them unchanged.
 */
import { createRequire } from 'node:module';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const sdk = join(here, '..');
const require = createRequire(join(sdk, 'package.json'));
// The package's exports hide package.json; its root is above the CommonJS entry's build/ folder.
const root = require.resolve('@sinclair/typebox').replace(/[\\/]build[\\/].*$/, '');
const { version, license } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const out = join(sdk, 'dist', 'vendor', 'typebox.js');

await mkdir(dirname(out), { recursive: true });
await build({
  entryPoints: [join(root, 'build', 'esm', 'index.mjs')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  banner: {
    js: `/* @sinclair/typebox ${version} (${license}, https://github.com/sinclairzx81/typebox), bundled into one module by @hostplane/sdk (scripts/bundle-typebox.mjs). */`,
  },
  logLevel: 'warning',
});
