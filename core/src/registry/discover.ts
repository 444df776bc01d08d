/**
 * Finding plugins: first-party packages, npm packages carrying a `hostplane` manifest, and the
 * drop-in directory. Nothing is imported here; a broken package is reported, never fatal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PluginSource } from '../kernel-api.js';
import { KernelErrors } from '../errors.js';
import { validateManifest, type PluginPackageJson, type ValidManifest } from './manifest.js';

/** A plugin package found on disk. */
export interface DiscoveredPlugin {
  manifest: ValidManifest;
  pkg: PluginPackageJson;
  dir: string;
  source: PluginSource;
}

/** A package that looked like a plugin but could not be used. */
export interface DiscoveryProblem {
  dir: string;
  source: PluginSource;
  error: Error;
}

/** Where to look. */
export interface DiscoveryOptions {
  /** Folders whose subfolders are first-party plugins (the monorepo's `plugins/`). */
  firstPartyDirs?: string[];
  /** `node_modules` folders to scan for packages with a `hostplane` manifest. */
  nodeModulesDirs?: string[];
  /** Drop-in folders (`HOSTPLANE_PLUGINS_DIR`). */
  dropInDirs?: string[];
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readPackage(dir: string): Promise<PluginPackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PluginPackageJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function subfolders(dir: string): Promise<string[]> {
  if (!(await isDir(dir))) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * npm packages are plugins only under these names (as with Backstage or Grafana): reading the
 * package.json of every one of hundreds of dependencies at each boot would cost ~200 ms.
 */
export const NPM_PLUGIN_NAME = /^(@hostplane\/plugin-[a-z0-9-]+|(@[a-z0-9._-]+\/)?hostplane-plugin-[a-z0-9._-]+)$/;

async function nodeModulePackages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await subfolders(dir)) {
    const name = entry.slice(dir.length + 1);
    if (name.startsWith('@')) {
      for (const scoped of await subfolders(entry)) {
        if (NPM_PLUGIN_NAME.test(`${name}/${scoped.slice(entry.length + 1)}`)) out.push(scoped);
      }
    } else if (NPM_PLUGIN_NAME.test(name)) out.push(entry);
  }
  return out;
}

/**
 * Discover plugins. Packages without a `hostplane` field are skipped silently in node_modules
 * (most packages are not plugins) but reported in plugin folders. The first package to claim
 * an id wins, in the order first-party, npm, drop-in; later claims are reported.
 */
export async function discoverPlugins(options: DiscoveryOptions): Promise<{
  plugins: DiscoveredPlugin[];
  problems: DiscoveryProblem[];
}> {
  const plugins = new Map<string, DiscoveredPlugin>();
  const problems: DiscoveryProblem[] = [];
  const candidates: Array<{ dir: string; source: PluginSource; strict: boolean }> = [];
  for (const d of options.firstPartyDirs ?? []) {
    for (const dir of await subfolders(resolve(d))) candidates.push({ dir, source: 'first-party', strict: true });
  }
  for (const d of options.nodeModulesDirs ?? []) {
    for (const dir of await nodeModulePackages(resolve(d))) candidates.push({ dir, source: 'npm', strict: false });
  }
  for (const d of options.dropInDirs ?? []) {
    for (const dir of await subfolders(resolve(d))) candidates.push({ dir, source: 'drop-in', strict: true });
  }
  const seenDirs = new Set<string>();
  for (const candidate of candidates) {
    try {
      const pkg = await readPackage(candidate.dir);
      if (!pkg || (pkg.hostplane === undefined && !candidate.strict)) continue;
      const manifest = validateManifest(pkg, candidate.dir);
      // A workspace package is linked into node_modules too: same package, not a duplicate.
      const key = `${manifest.id}@${pkg.name ?? ''}@${manifest.version}`;
      if (seenDirs.has(key)) continue;
      seenDirs.add(key);
      const first = plugins.get(manifest.id);
      if (first) {
        problems.push({ ...candidate, error: KernelErrors.duplicatePlugin(manifest.id, first.dir, candidate.dir) });
        continue;
      }
      const source = candidate.source === 'npm' && pkg.name?.startsWith('@hostplane/plugin-') ? 'first-party' : candidate.source;
      plugins.set(manifest.id, { manifest, pkg, dir: candidate.dir, source });
    } catch (error) {
      problems.push({ dir: candidate.dir, source: candidate.source, error: error as Error });
    }
  }
  return { plugins: [...plugins.values()], problems };
}
