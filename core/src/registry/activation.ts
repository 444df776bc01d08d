/**
 * Bringing the set of started plugins in line with the admin's stored wishes: start what is
 * wanted in dependency order, stop what is no longer wanted (or whose config changed), and stop
 * everything in reverse order at shutdown.
 */
import { findCycles, startOrder, type GraphNode } from './dependency-graph.js';
import {
  completeActivation,
  deactivate,
  failPlugin,
  prepareActivation,
  type LifecycleHost,
  type PreparedActivation,
} from './lifecycle.js';
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
 *
 * The first half of each activation (signature, code, role, pool, migrations: waits on disk and
 * database) runs as soon as the plugin's dependencies have been through theirs, many at once;
 * the second half (setup, start, hooks) runs one plugin at a time in dependency order, so what
 * plugins see of each other is the same on every start. bench/boot.ts measures the effect.
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
  const order = startOrder(
    wanted.filter((id) => !cycles.has(id)),
    graph,
  ).filter((id) => {
    const record = host.records.get(id) as PluginRecord;
    return !(record.state === 'failed' && record.error?.phase !== 'dependencies' && !retry.has(id));
  });
  const prepared = new Set<string>();
  const preparing = new Map<string, Promise<PreparedActivation | undefined>>();
  for (const id of order) {
    const record = host.records.get(id) as PluginRecord;
    // startOrder put every wanted dependency first, so its promise is there.
    const dependencies = Object.keys(graph.get(id)?.requires ?? {}).flatMap((dep) => preparing.get(dep) ?? []);
    preparing.set(
      id,
      Promise.all(dependencies).then(async () => {
        const ready = await prepareActivation(
          host,
          record,
          (dep) => dep.state === 'started' || prepared.has(dep.discovered.manifest.id),
        );
        if (ready) prepared.add(id);
        return ready;
      }),
    );
  }
  for (const id of order) {
    const ready = await preparing.get(id);
    if (ready) await completeActivation(host, host.records.get(id) as PluginRecord, ready);
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
