/** What the started plugins registered, as the kernel hands it out (routes, pages, extensions, services). */
import type { ServiceRef } from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';
import type { PluginPanelPage, PluginRoutes } from '../kernel-api.js';
import type { PluginRecord } from './plugin-record.js';

/** Records of plugins that are started and hold a runtime. */
export function startedRecords(records: ReadonlyMap<string, PluginRecord>): PluginRecord[] {
  return [...records.values()].filter((r) => r.state === 'started' && r.runtime);
}

export function routesOf(started: readonly PluginRecord[]): PluginRoutes[] {
  return started.flatMap((r) =>
    (r.runtime?.registrations.routes ?? []).map((route) => ({ pluginId: r.discovered.manifest.id, ...route })),
  );
}

export function extensionsOf<T>(started: readonly PluginRecord[], point: string): T[] {
  return started.flatMap((r) =>
    (r.runtime?.registrations.extensions ?? []).filter((e) => e.point === point).map((e) => e.implementation as T),
  );
}

export function pagesOf(started: readonly PluginRecord[]): PluginPanelPage[] {
  return started.flatMap((r) =>
    (r.runtime?.registrations.pages ?? []).map((page) => ({ ...page, pluginId: r.discovered.manifest.id })),
  );
}

/** The definition of job `name` among the started plugins. */
export function jobDefinitionOf(started: readonly PluginRecord[], name: string): { maxAttempts: number } | undefined {
  for (const r of started) {
    const found = r.runtime?.registrations.jobs.find((j) => j.name === name);
    if (found) return found;
  }
  return undefined;
}

/** A service another plugin provides (its id starts with the provider's id), made for `consumer`. */
export function resolveProvided(records: ReadonlyMap<string, PluginRecord>, consumer: string, ref: ServiceRef<unknown>): unknown {
  const owner = ref.id.slice(0, ref.id.indexOf('.'));
  const provider = records.get(owner);
  const service = provider?.state === 'started' ? provider.runtime?.registrations.services.get(ref.id) : undefined;
  if (!service) throw KernelErrors.serviceUnavailable(consumer, ref.id);
  return service.factory();
}
