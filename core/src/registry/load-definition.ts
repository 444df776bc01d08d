/**
 * Importing a plugin's code and checking its definition against its static manifest: a
 * plugin may not ask at runtime for more than it declared where an admin could read it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDefinedPlugin, type DefinedPlugin, type ServiceRef, type TObject } from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';
import type { DiscoveredPlugin } from './discover.js';

/** A definition with any config and deps. */
export type AnyPlugin = DefinedPlugin<TObject, Record<string, ServiceRef<unknown>>>;

/** True when this process resolves the `@hostplane/source` condition (tests, dev). */
function sourceConditionActive(): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.some((a) => a.includes('@hostplane/source'));
}

function pick(exportsField: unknown, conditions: string[]): string | undefined {
  if (typeof exportsField === 'string') return exportsField;
  if (typeof exportsField !== 'object' || exportsField === null) return undefined;
  const record = exportsField as Record<string, unknown>;
  const root = '.' in record ? record['.'] : record;
  if (typeof root === 'string') return root;
  if (typeof root !== 'object' || root === null) return undefined;
  for (const condition of conditions) {
    const value = (root as Record<string, unknown>)[condition];
    const found = pick(value, conditions);
    if (found) return found;
  }
  return undefined;
}

/** The file to import for a discovered plugin. */
export function resolveEntry(plugin: DiscoveredPlugin, options: { source?: boolean } = {}): string {
  // An isolated plugin's process has no TypeScript loader: it is given `source: false`.
  const source = options.source ?? sourceConditionActive();
  const conditions = source ? ['@hostplane/source', 'import', 'default'] : ['import', 'default'];
  const candidates = [
    plugin.manifest.entry && !source ? plugin.manifest.entry : undefined,
    pick(plugin.pkg.exports, conditions),
    plugin.manifest.entry,
    plugin.pkg.main,
    'index.js',
  ].filter((c): c is string => typeof c === 'string');
  for (const candidate of candidates) {
    const file = join(plugin.dir, candidate);
    if (existsSync(file)) return file;
  }
  throw KernelErrors.definitionInvalid(
    plugin.manifest.id,
    `no entry module found in ${plugin.dir} (tried ${candidates.join(', ')}); was it built?`,
  );
}

/** Import a plugin and return its validated definition. */
export async function loadDefinition(plugin: DiscoveredPlugin): Promise<AnyPlugin> {
  const file = resolveEntry(plugin);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const definition = mod.default;
  if (!isDefinedPlugin(definition)) {
    throw KernelErrors.definitionInvalid(plugin.manifest.id, `${file} must default-export definePlugin({...})`);
  }
  checkDefinitionAgainstManifest(definition as AnyPlugin, plugin);
  return definition as AnyPlugin;
}

/** Refuse a definition that disagrees with the manifest an admin reviewed. */
export function checkDefinitionAgainstManifest(definition: AnyPlugin, plugin: Pick<DiscoveredPlugin, 'manifest'>): void {
  const { manifest } = plugin;
  const fail = (problem: string): never => {
    throw KernelErrors.definitionInvalid(manifest.id, problem);
  };
  if (definition.id !== manifest.id) fail(`definition id "${definition.id}" differs from manifest id "${manifest.id}"`);
  if (definition.sdk !== manifest.sdk) fail(`definition sdk "${definition.sdk}" differs from manifest sdk "${manifest.sdk}"`);
  const declared = new Set<string>(manifest.permissions ?? []);
  for (const capability of definition.permissions ?? []) {
    if (!declared.has(capability)) fail(`asks for capability "${capability}" not listed in the manifest's permissions`);
  }
  const manifestRequires = manifest.requires ?? {};
  for (const [dep, range] of Object.entries(definition.requires ?? {})) {
    if (manifestRequires[dep] !== range)
      fail(`requires "${dep}" ${range}, but the manifest says ${manifestRequires[dep] ?? 'nothing'}`);
  }
  const provides = new Set(manifest.provides ?? []);
  for (const point of definition.provides ?? []) {
    if (!provides.has(point)) fail(`provides "${point}" not listed in the manifest`);
  }
  const shares = new Set(manifest.database?.shares ?? []);
  for (const name of definition.database?.shares ?? []) {
    if (!shares.has(name)) fail(`shares "${name}" not listed in the manifest's database.shares`);
  }
  for (const [provider, names] of Object.entries(definition.database?.reads ?? {})) {
    const declaredReads = new Set(manifest.database?.reads?.[provider] ?? []);
    for (const name of names) {
      if (!declaredReads.has(name)) fail(`reads "${provider}.${name}" not listed in the manifest's database.reads`);
    }
  }
}
