/**
 * Keeping the kernel's plugin records in line with what is on disk and what is stored: each
 * discovered (or inline) plugin gets a record once; later refreshes only update the admin's
 * stored wishes (enabled, config), never the state a running kernel owns.
 */
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { PluginState } from '../kernel-api.js';
import type { InlinePlugin } from '../kernel-options.js';
import { listPluginRows, upsertPluginRow, type PluginRow } from '../db/index.js';
import { discoverPlugins, type DiscoveredPlugin, type DiscoveryOptions, type DiscoveryProblem } from './discover.js';
import { checkDefinitionAgainstManifest, type AnyPlugin } from './load-definition.js';
import type { PluginRecord } from './plugin-record.js';

/** An inline plugin as if it had been discovered (its manifest made from the definition). */
export function discoveredInline(inline: InlinePlugin): DiscoveredPlugin {
  const d = inline.definition;
  const manifest = {
    id: d.id,
    sdk: d.sdk,
    version: inline.version ?? '0.0.0',
    packageName: d.id,
    requires: inline.manifest?.requires ?? d.requires ?? {},
    provides: inline.manifest?.provides ?? d.provides ?? [],
    permissions: inline.manifest?.permissions ?? d.permissions ?? [],
    ...(d.database ? { database: d.database } : {}),
    ...(inline.manifest?.displayName ? { displayName: inline.manifest.displayName } : {}),
    ...(inline.manifest?.description ? { description: inline.manifest.description } : {}),
  };
  return { manifest, pkg: { name: d.id, version: manifest.version }, dir: '<inline>', source: 'inline' };
}

/**
 * Add a record for each plugin in `found` that has none, and refresh the stored wishes of the
 * others. An admin-mode kernel (the CLI) runs nothing itself, so its new records show what the
 * hosts last stored; a running kernel starts every record at `discovered`.
 */
export function mergeRecords(
  records: Map<string, PluginRecord>,
  found: readonly DiscoveredPlugin[],
  rows: ReadonlyMap<string, PluginRow>,
  inlineDefinition: (id: string) => AnyPlugin | undefined,
  admin: boolean,
): void {
  for (const discovered of found) {
    const id = discovered.manifest.id;
    const row = rows.get(id);
    const existing = records.get(id);
    if (existing) {
      existing.enabled = row?.enabled ?? false;
      existing.storedConfig = row?.config ?? {};
      continue;
    }
    const stored =
      admin && row ? { state: row.state as PluginState, error: row.error } : { state: 'discovered' as const, error: null };
    const record: PluginRecord = {
      discovered,
      state: stored.state,
      enabled: row?.enabled ?? false,
      storedConfig: row?.config ?? {},
      error: stored.error,
    };
    const inline = inlineDefinition(id);
    if (inline) {
      checkDefinitionAgainstManifest(inline, discovered);
      record.inline = inline;
    }
    records.set(id, record);
  }
}

/** What {@link refreshRecords} needs. */
export interface RefreshInput {
  knex: Knex;
  logger: Logger;
  discovery: DiscoveryOptions;
  inlinePlugins: readonly InlinePlugin[];
  records: Map<string, PluginRecord>;
  admin: boolean;
  /** Problems already logged by this kernel: discovery runs more than once per boot. */
  loggedProblems: Set<string>;
}

/**
 * Discover plugins, give each a stored row when it has none, and merge the stored wishes into
 * the records. Returns the packages that could not be used (logged here).
 */
export async function refreshRecords(input: RefreshInput): Promise<DiscoveryProblem[]> {
  const { plugins, problems } = await discoverPlugins(input.discovery);
  for (const problem of problems) {
    // One line, once per kernel: a problem of the operator's files (a copy too many, a broken
    // manifest), not of the code, so no stack.
    const line = `plugin package skipped: ${problem.error.message}`;
    if (input.loggedProblems.has(`${problem.dir}\n${line}`)) continue;
    input.loggedProblems.add(`${problem.dir}\n${line}`);
    const code = (problem.error as { code?: unknown }).code;
    input.logger.warn({ dir: problem.dir, ...(typeof code === 'string' ? { code } : {}) }, line);
  }
  const found = [...plugins, ...input.inlinePlugins.map(discoveredInline)];
  const rows = new Map((await listPluginRows(input.knex)).map((r) => [r.id, r]));
  for (const { manifest } of found) {
    if (!rows.has(manifest.id)) await upsertPluginRow(input.knex, { id: manifest.id, version: manifest.version });
  }
  const inline = (id: string) => input.inlinePlugins.find((p) => p.definition.id === id)?.definition;
  mergeRecords(input.records, found, rows, inline, input.admin);
  return problems;
}
