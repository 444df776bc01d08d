/**
 * `npm start` builds the panel; a newcomer should not read a page of warnings about tools they
 * did not choose. Each source of noise is checked where it comes from, without a build: React
 * Router's future-flag warnings (one per flag left undefined) and Vite's envFile deprecation
 * (printed for React Router's internal servers, which our config cannot reach: filtered).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import t from 'tap';
import config from '../react-router.config.js';
import { isNoise } from '../scripts/build-noise.mjs';

const require = createRequire(path.join(import.meta.dirname, '..', 'package.json'));
const devVite = readFileSync(
  path.join(path.dirname(require.resolve('@react-router/dev/package.json')), 'dist', 'vite.js'),
  'utf8',
);
const viteDir = path.dirname(require.resolve('vite/package.json'));

t.test('every future flag React Router warns about is stated, so the build does not warn', async (t) => {
  const warned = [...devVite.matchAll(/if \(future\.(v\d+_\w+) === void 0\)/g)].map((m) => m[1]!);
  t.ok(warned.length > 0, `React Router warns about ${warned.join(', ')}`);
  const future = (config as { future?: Record<string, unknown> }).future ?? {};
  t.same(
    warned.filter((flag) => future[flag] === undefined),
    [],
    'none left undefined',
  );
});

t.test("Vite's envFile deprecation, which React Router's internal servers trigger, is the line filtered", async (t) => {
  t.match(devVite, /envFile: false/, 'React Router still sets envFile: false on its own servers');
  const chunk = readFileSync(path.join(viteDir, 'dist', 'node', 'chunks', 'node.js'), 'utf8');
  const printed = /"(The `envFile` option is deprecated[^"]*)"/.exec(chunk)?.[1];
  t.ok(printed, 'Vite prints the deprecation');
  t.ok(isNoise(printed!), 'that exact line is dropped');
  t.ok(isNoise(`\u001b[33m${printed!}\u001b[39m`), 'coloured too');
  t.notOk(isNoise('error: something real'), 'nothing else is');
});
