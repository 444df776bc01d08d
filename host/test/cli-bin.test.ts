/**
 * `npx hostplane` on a fresh clone: the README promises it after `npm ci && npm start`. npm links
 * a workspace's bin at install time, and only if the file exists then, so the bin must be a file
 * in git (host/bin/hostplane.js), not one `npm run build` makes later.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { REPO } from './support/cli.js';

const HOST = path.join(REPO, 'host');
const manifest = JSON.parse(readFileSync(path.join(HOST, 'package.json'), 'utf8')) as { bin: Record<string, string> };

function trackedByGit(file: string): boolean {
  const relative = path.relative(REPO, file);
  const out = execFileSync('git', ['ls-files', '--', relative], { cwd: REPO, encoding: 'utf8' });
  return out.trim() === relative.split(path.sep).join('/');
}

t.test('the hostplane bin is a file in git, so npm links it before any build', async (t) => {
  const target = manifest.bin.hostplane;
  t.ok(target, 'host/package.json names a hostplane bin');
  t.ok(trackedByGit(path.join(HOST, target!)), `${target} is committed`);
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { bin?: Record<string, string> }>;
  };
  const normal = (bin: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(bin).map(([name, file]) => [name, path.posix.normalize(file)]));
  t.same(normal(lock.packages.host?.bin), normal(manifest.bin), 'package-lock.json (what npm ci installs) agrees');
});

t.test('after npm ci, node_modules/.bin/hostplane leads to that committed file', async (t) => {
  const link = path.join(REPO, 'node_modules', '.bin', 'hostplane');
  t.ok(existsSync(link), 'npm linked node_modules/.bin/hostplane');
  t.equal(realpathSync(link), realpathSync(path.join(HOST, manifest.bin.hostplane!)));
});

t.test('the linked bin runs the CLI: --help prints the usage', async (t) => {
  if (!existsSync(path.join(HOST, 'dist', 'cli', 'main.js'))) return t.skip('host/dist is not built (npm run build)');
  const run = spawnSync(path.join(REPO, 'node_modules', '.bin', 'hostplane'), ['--help'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /^Usage: hostplane <command>/);
});

t.test('without a build the bin says what to run, in one line', async (t) => {
  // A copy of the bin in a folder with no dist/ beside it: what a fresh clone has before `npm run build`.
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-bin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(HOST, manifest.bin.hostplane!), path.join(dir, 'bin', 'hostplane.js'));
  const run = spawnSync(process.execPath, [path.join(dir, 'bin', 'hostplane.js'), '--help'], { encoding: 'utf8' });
  t.equal(run.status, 1);
  t.equal(run.stdout, '');
  t.match(run.stderr, /npm run build/);
  t.equal(run.stderr.trim().split('\n').length, 1, 'one line, no stack');
});
