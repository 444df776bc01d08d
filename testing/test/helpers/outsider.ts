/**
 * The outsider's path, as steps a test can run and extend: pack the SDK, the testing kit and what
 * it needs into tarballs, create a plugin with `hostplane plugin new` in a temporary folder outside
 * the repository, install it from those tarballs (everything else from the npm registry), build it
 * and run its own tests; then drop the built package into a host's plugins folder and sign it
 * there with the outsider's own `hostplane`.
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@hostplane/host';

/** The repository root. */
export const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** Workspaces packed for an outsider: the SDK, the testing kit and the packages the kit needs. */
export const PACKED = ['@hostplane/sdk', '@hostplane/core', '@hostplane/host', '@hostplane/testing'] as const;

/** What a command printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<number>();

/**
 * The environment an outsider has: no tap variables of this run (a child tap would think it is
 * part of this one), no `--conditions=@hostplane/source` (there are no sources outside), no
 * package or lifecycle variables of an enclosing `npm test`. npm's own settings (`npm_config_*`:
 * registry, cache) stay.
 */
export function outsiderEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(TAP|_TAPJS|NODE_OPTIONS|NODE_ENV|TS_NODE|npm_package_|npm_lifecycle_)/i.test(key)) continue;
    env[key] = value;
  }
  env.NO_UPDATE_NOTIFIER = '1';
  return env;
}

/** Run a command in its own process group, killed (group and all) after `timeoutMs`. */
export function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: outsiderEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      killGroup(pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Whatever the command left behind in its group (a stray worker) goes with it.
      killGroup(pid);
      if (pid !== undefined) running.delete(pid);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kill every command still running (teardown). */
export function killAll(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}

/** True when the npm registry answers (`npm ping`) within 20 s. */
export async function registryReachable(cwd: string): Promise<boolean> {
  const result = await run('npm', ['ping'], cwd, 20_000).catch(() => undefined);
  return result?.code === 0;
}

/** A plugin made and installed as an outsider would. */
export interface OutsiderPlugin {
  /** The temporary folder holding everything (outside the repository). */
  root: string;
  /** The plugin package folder. */
  dir: string;
  /** Tarballs by package name. */
  tarballs: Record<string, string>;
  /** Remove `root` and kill what is still running. */
  cleanup(): Promise<void>;
}

function must(result: RunResult, what: string): RunResult {
  if (result.code !== 0)
    throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`.slice(-6000));
  return result;
}

/** Build the packed workspaces, pack them, and create plugin `id` from the template. */
export async function createOutsiderPlugin(id: string): Promise<OutsiderPlugin> {
  const root = await mkdtemp(join(tmpdir(), 'hostplane-outsider-'));
  if (!relative(REPO, root).startsWith('..')) throw new Error(`${root} is inside the repository`);
  const cleanup = async () => {
    killAll();
    await rm(root, { recursive: true, force: true });
  };
  try {
    // The packages ship dist/: build it from the current sources first.
    must(await run(join(REPO, 'node_modules/.bin/tsc'), ['-b', 'sdk', 'core', 'host', 'testing'], REPO, 300_000), 'tsc -b');
    const packs = join(root, 'packs');
    await mkdir(packs);
    const workspaces = PACKED.flatMap((name) => ['-w', name]);
    const packed = must(
      await run('npm', ['pack', ...workspaces, '--pack-destination', packs, '--json'], REPO, 120_000),
      'npm pack',
    );
    const list = JSON.parse(packed.stdout) as Array<{ name: string; filename: string }>;
    const tarballs = Object.fromEntries(list.map((p) => [p.name, join(packs, p.filename)]));
    const dir = join(root, id);
    const io = { out: () => undefined, err: (text: string) => void (errors += text) };
    let errors = '';
    const code = await runCli(['plugin', 'new', id, '--dir', dir], io);
    if (code !== 0) throw new Error(`hostplane plugin new ${id} failed (${code}): ${errors}`);
    return { root, dir, tarballs, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Point the plugin's `@hostplane/*` development dependencies at the tarballs (standing in for
 * the registry, where they are not published from this checkout) and `npm install`.
 */
export async function installFromTarballs(plugin: OutsiderPlugin): Promise<RunResult> {
  const pkgPath = join(plugin.dir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { devDependencies: Record<string, string> };
  for (const [name, file] of Object.entries(plugin.tarballs)) pkg.devDependencies[name] = `file:${file}`;
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  return must(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], plugin.dir, 600_000), 'npm install');
}

/**
 * Copy the built plugin into a fresh drop-in folder as the guide says (package.json, dist,
 * migrations; no node_modules, src or test), readable by the plugin's own system user.
 */
export async function dropIn(plugin: OutsiderPlugin, id: string): Promise<{ pluginsDir: string; dir: string }> {
  const pluginsDir = join(plugin.root, 'host-plugins');
  const dir = join(pluginsDir, id);
  for (const part of ['package.json', 'dist', 'migrations'])
    await cp(join(plugin.dir, part), join(dir, part), { recursive: true });
  // An isolated plugin runs as its own user: the folders must be readable and traversable.
  for (const folder of [plugin.root, pluginsDir]) await chmod(folder, 0o755);
  return { pluginsDir, dir };
}

/** The outsider's own `hostplane` (from its node_modules), run in `cwd`. */
export function outsiderCli(plugin: OutsiderPlugin, args: string[], cwd: string): Promise<RunResult> {
  return run(join(plugin.dir, 'node_modules/.bin/hostplane'), args, cwd, 60_000);
}
