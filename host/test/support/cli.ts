/** Run the CLI in-process with captured output, and prepare a drop-in copy of examples/plugin-hello. */
import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number | undefined;
  out: string;
  err: string;
}

let ownDataDir: string | undefined;

/**
 * A data dir for the CLI runs of this test process that name none: the default, ./.hostplane,
 * is the checkout's own folder (a secret key, plugins' servers) and outlives the test.
 */
export function testDataDir(): string {
  if (!ownDataDir) {
    const dir = mkdtempSync(join(tmpdir(), 'hostplane-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    ownDataDir = dir;
  }
  return ownDataDir;
}

/** Run `hostplane <argv>` in this process with `env` (and {@link testDataDir} if it names no data dir). */
export async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  let out = '';
  let err = '';
  const withDir = env.HOSTPLANE_DATA_DIR ? env : { ...env, HOSTPLANE_DATA_DIR: testDataDir() };
  const code = await runCli(argv, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) }, withDir);
  return { code, out, err };
}

/** The hello example built (dist) and copied into a fresh plugins folder outside the repo. */
export async function dropInHello(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const source = join(REPO, 'examples/plugin-hello');
  if (!existsSync(join(source, 'dist/index.js'))) {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', source], { stdio: 'inherit' });
  }
  const dir = await mkdtemp(join(tmpdir(), 'hostplane-dropin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // A drop-in runs isolated as its own user, who must be able to read the folder.
  await chmod(dir, 0o755);
  const target = join(dir, 'hello');
  for (const part of ['package.json', 'dist', 'migrations'])
    await cp(join(source, part), join(target, part), { recursive: true });
  return dir;
}

/**
 * Poll `probe` every 100 ms until it returns a value; throws naming `what` after `ms`. The
 * default is generous: a host's first start on a fresh database runs every first-party
 * plugin's migrations and starts their servers, which took over 30 s in CI beside three other
 * test files, and over 90 s beside a first start on an embedded server, a Chromium test and the
 * ERD test (tap's limit of 300 s per file still ends a hang).
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
