/**
 * What module resolution needs to read: Node's permission model checks every file the loader
 * opens, so an isolated plugin needs read access to its own package, the runner, and the package
 * folders of every dependency in the closure of what they import (each under its `node_modules`
 * path and its real path, since workspaces link packages). Kernel packages are never added: a
 * plugin that imports `@hostplane/core` is refused by the loader.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Packages an isolated plugin must never read, even when something it uses depends on them. */
const FORBIDDEN = new Set(['@hostplane/core', '@hostplane/host', '@hostplane/panel']);

/** The folder of package `name` as Node would find it from `fromDir`, or undefined. */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function dependenciesOf(dir: string): string[] {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ];
  } catch {
    return [];
  }
}

/**
 * Folders (with trailing `/`, the permission model's "this tree") holding `roots` (package
 * names resolved from `fromDir`) and everything they depend on.
 */
export function dependencyClosure(roots: string[], fromDir: string): string[] {
  const out = new Set<string>();
  const visited = new Set<string>();
  const visit = (name: string, from: string): void => {
    if (FORBIDDEN.has(name)) return;
    const dir = findPackageDir(name, from);
    if (!dir) return; // optional or absent peer: the loader will not read it either
    const real = realpathSync(dir);
    out.add(`${dir}/`);
    out.add(`${real}/`);
    if (visited.has(real)) return;
    visited.add(real);
    for (const dep of dependenciesOf(real)) visit(dep, real);
  };
  for (const root of roots) visit(root, fromDir);
  return [...out].sort();
}

/**
 * The kernel's plugin migrator, which the runner uses to run a plugin's migrations in its own
 * process: the only kernel modules a plugin's process may read, one file each (they import the
 * SDK and nothing else of the kernel).
 */
export const MIGRATOR_FILES = ['plugin-migrator.js', 'plugin-migration-files.js', 'migration-runner.js', 'errors.js'];

/**
 * Kernel modules the runner itself imports besides its own folder: the checks and batch shape
 * of `jobs.enqueueMany` in the plugin's transaction (one module, and the job errors it throws;
 * both import the SDK and nothing else of the kernel).
 */
export const RUNNER_KERNEL_FILES = ['jobs/enqueue-args.js', 'jobs/errors.js'];

/** Everything the runner and `pluginDir` need to read. */
export function readAllowList(options: { pluginDir: string; runnerDir: string; coreDir: string; needs: string[] }): string[] {
  const pluginReal = realpathSync(options.pluginDir);
  // Every plugin imports the SDK, declared or not (a drop-in may lean on the host's copy).
  const own = [...new Set([...dependenciesOf(pluginReal), '@hostplane/sdk'])].filter((d) => !FORBIDDEN.has(d));
  const list = new Set<string>([`${options.pluginDir}/`, `${pluginReal}/`, `${options.runnerDir}/`]);
  for (const dir of dependencyClosure(own, pluginReal)) list.add(dir);
  const needs = options.needs.includes('knex') ? [...options.needs, '@hostplane/sdk'] : options.needs;
  for (const dir of dependencyClosure(needs, options.coreDir)) list.add(dir);
  for (const file of RUNNER_KERNEL_FILES) list.add(join(options.coreDir, 'dist', file));
  if (options.needs.includes('knex')) {
    for (const file of MIGRATOR_FILES) list.add(join(options.coreDir, 'dist', 'db', file));
  }
  return [...list];
}
