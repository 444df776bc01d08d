import t from 'tap';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cli } from './support/cli.js';

const root = await mkdtemp(path.join(os.tmpdir(), 'hostplane-plugin-new-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
// Nothing here opens a database; a data dir of the test's own keeps it that way if that changes.
const env = { HOSTPLANE_DATA_DIR: path.join(root, 'data') };

t.test('creates the package with the id filled in everywhere', async (t) => {
  const dir = path.join(root, 'acme-notes');
  const res = await cli(['plugin', 'new', 'acme-notes', '--dir', dir, '--json'], env);
  t.equal(res.code, 0, res.err);
  const out = JSON.parse(res.out) as { id: string; dir: string; files: string[] };
  t.equal(out.dir, dir);
  t.same(out.files.sort(), [
    '.gitignore',
    'README.md',
    'migrations/20260101000000_notes.js',
    'package.json',
    'src/index.ts',
    'src/routes.ts',
    'test/notes.test.ts',
    'tsconfig.json',
  ]);
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
    name: string;
    hostplane: { id: string; displayName: string; sdk: string; permissions: string[] };
    devDependencies: Record<string, string>;
  };
  t.equal(pkg.name, 'hostplane-plugin-acme-notes', 'a name the host discovers in node_modules');
  t.equal(pkg.hostplane.id, 'acme-notes');
  t.equal(pkg.hostplane.displayName, 'Acme Notes');
  t.equal(pkg.hostplane.sdk, '^0.1.0');
  t.ok(pkg.devDependencies['@hostplane/testing'], 'tests use the testing kit');
  const index = await readFile(path.join(dir, 'src/index.ts'), 'utf8');
  t.match(index, /id: 'acme-notes'/);
  t.match(await readFile(path.join(dir, 'migrations/20260101000000_notes.js'), 'utf8'), /plugin_acme_notes/);
  for (const file of out.files)
    t.notMatch(await readFile(path.join(dir, file), 'utf8'), /__[A-Z_]+__/, `${file}: no placeholder left`);
});

t.test('without --dir it writes ./<id>', async (t) => {
  const cwd = process.cwd();
  process.chdir(root);
  t.teardown(() => process.chdir(cwd));
  const res = await cli(['plugin', 'new', 'plain'], env);
  t.equal(res.code, 0, res.err);
  t.match(res.out, /Created plugin "plain"/);
  t.ok((await readdir(path.join(root, 'plain'))).includes('package.json'));
});

t.test('bad ids are usage mistakes (exit 2) and write nothing', async (t) => {
  for (const id of [
    'Bad',
    '9lives',
    'has_underscore',
    'a/../../etc',
    'trailing-',
    'double--dash',
    'x'.repeat(57),
    'nul\u0000byte',
    '',
  ]) {
    const dir = path.join(root, 'bad-target');
    const res = await cli(['plugin', 'new', id, '--dir', dir], env);
    t.equal(res.code, 2, `refuses ${JSON.stringify(id.slice(0, 20))}`);
    t.match(res.err, /plugin id/);
    await t.rejects(readdir(dir), { code: 'ENOENT' }, 'nothing written');
  }
  t.match(await cli(['plugin'], env), { code: 2, err: /usage: hostplane plugin new <id>/ });
  t.match(await cli(['plugin', 'old', 'x'], env), { code: 2, err: /unknown action "old"/ });
  t.match(await cli(['plugin', 'new', 'x', 'y'], env), { code: 2, err: /unexpected arguments: y/ });
});

t.test('an existing non-empty folder, or a file, is refused (exit 1) and left as it was', async (t) => {
  const full = path.join(root, 'full');
  await mkdir(full);
  await writeFile(path.join(full, 'keep.txt'), 'mine');
  const res = await cli(['plugin', 'new', 'full', '--dir', full], env);
  t.equal(res.code, 1);
  t.match(res.err, /exists and is not empty/);
  t.same(await readdir(full), ['keep.txt']);

  const file = path.join(root, 'a-file');
  await writeFile(file, 'x');
  t.match(await cli(['plugin', 'new', 'a-file', '--dir', file], env), { code: 1, err: /is not a folder/ });

  const empty = path.join(root, 'empty');
  await mkdir(empty);
  t.equal((await cli(['plugin', 'new', 'empty', '--dir', empty], env)).code, 0, 'an empty folder is fine');
});
