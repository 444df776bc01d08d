/**
 * Bringing the set of started plugins in line with the admin's stored wishes: start what is
 * wanted in dependency order, stop what is no longer wanted (or whose config changed), and stop
 * everything in reverse order at shutdown.
 */
import { findCycles, startOrder, type GraphNode } from './dependency-graph.js';
import { activate, deactivate, failPlugin, type LifecycleHost } from './lifecycle.js';
import type { PluginRecord } from './plugin-record.js';

/** The dependency graph of every known plugin. */
export function graphOf(records: ReadonlyMap<string, PluginRecord>): Map<string, GraphNode> {
  return new Map(
    [...records.values()].map(({ discovered: { manifest } }) => [
      manifest.id,
      { id: manifest.id, version: manifest.version, requires: manifest.requires ?? {} },
    ]),
  );
}

/**
 * Start every plugin the admin enabled that is not running, in dependency order. A failed
 * plugin is tried again only when named in `retry` (an admin touched it), not on every change.
 */
export async function activateWanted(host: LifecycleHost, retry: ReadonlySet<string> = new Set()): Promise<void> {
  const graph = graphOf(host.records);
  const cycles = findCycles(graph);
  const wanted = [...host.records.values()]
    .filter((r) => r.enabled && r.state !== 'started')
    .map((r) => r.discovered.manifest.id);
  for (const id of wanted.filter((w) => cycles.has(w))) {
    await failPlugin(host, host.records.get(id) as PluginRecord, 'dependencies', cycles.get(id));
  }
  for (const id of startOrder(
    wanted.filter((id) => !cycles.has(id)),
    graph,
  )) {
    const record = host.records.get(id) as PluginRecord;
    if (record.state === 'failed' && record.error?.phase !== 'dependencies' && !retry.has(id)) continue;
    await activate(host, record);
  }
}

/**
 * Stop started plugins the admin disabled, or whose stored config differs from `configBefore`
 * (they start again with the new one). Returns whether anything is to change.
 */
export async function deactivateUnwanted(host: LifecycleHost, configBefore: ReadonlyMap<string, string>): Promise<boolean> {
  let touched = false;
  for (const record of [...host.records.values()].reverse()) {
    const id = record.discovered.manifest.id;
    const configChanged = configBefore.has(id) && configBefore.get(id) !== JSON.stringify(record.storedConfig);
    if (record.state === 'started' && (!record.enabled || configChanged)) {
      await deactivate(host, record, record.enabled ? 'reconfigure' : 'disable');
      touched = true;
    }
  }
  return touched || [...host.records.values()].some((r) => r.enabled && r.state !== 'started');
}

/** Stop `started` plugins in reverse dependency order (shutdown: they stay enabled). */
export async function deactivateAll(host: LifecycleHost, started: readonly PluginRecord[]): Promise<void> {
  const order = startOrder(
    started.map((r) => r.discovered.manifest.id),
    graphOf(host.records),
  ).reverse();
  for (const id of order) await deactivate(host, host.records.get(id) as PluginRecord, 'shutdown');
}
