/**
 * What a plugin's database role is to be given, from the manifests an admin reviewed: its
 * capabilities, and the relations other plugins share with it (named on both sides).
 */
import { openPluginDatabase, type OwnerDatabase, type PluginDatabaseHandle } from '../db/plugin-database.js';
import { SharedRelationMissingError, type PluginRoleRequest } from '../db/roles/plugin-roles.js';
import { KernelErrors } from '../errors.js';
import { grantedCapabilities, type PluginRecord } from './plugin-record.js';

/** True when the plugin needs a role of its own: it asked for `db` or brings migrations. */
export function needsDatabaseRole(record: PluginRecord, hasMigrations: boolean): boolean {
  return hasMigrations || grantedCapabilities(record).has('db');
}

/**
 * The role request of `record`. Throws KERNEL_ERR_SHARED_DATA_UNAVAILABLE when it reads
 * something a provider does not share (or a provider it does not require).
 */
export function databaseAccessOf(record: PluginRecord, records: ReadonlyMap<string, PluginRecord>): PluginRoleRequest {
  const { manifest } = record.discovered;
  const reads: Array<{ pluginId: string; relation: string }> = [];
  for (const [provider, relations] of Object.entries(manifest.database?.reads ?? {})) {
    const shared = new Set(records.get(provider)?.discovered.manifest.database?.shares ?? []);
    const required = Object.hasOwn(manifest.requires ?? {}, provider);
    for (const relation of relations) {
      if (!required) throw KernelErrors.sharedDataUnavailable(manifest.id, provider, relation, 'it does not require that plugin');
      if (!shared.has(relation))
        throw KernelErrors.sharedDataUnavailable(manifest.id, provider, relation, `"${provider}" does not share it`);
      reads.push({ pluginId: provider, relation });
    }
  }
  return { pluginId: manifest.id, capabilities: grantedCapabilities(record), reads };
}

/**
 * Open the plugin's own pool (making or updating its role first), or resolve undefined when it
 * needs none. Throws KERNEL_ERR_SHARED_DATA_UNAVAILABLE for a read that cannot be granted.
 */
export async function openDatabaseOf(
  owner: OwnerDatabase,
  record: PluginRecord,
  records: ReadonlyMap<string, PluginRecord>,
  hasMigrations: boolean,
): Promise<PluginDatabaseHandle | undefined> {
  if (!needsDatabaseRole(record, hasMigrations)) return undefined;
  try {
    return await openPluginDatabase(owner, databaseAccessOf(record, records));
  } catch (error) {
    if (error instanceof SharedRelationMissingError) {
      throw KernelErrors.sharedDataUnavailable(
        record.discovered.manifest.id,
        error.provider,
        error.relation,
        'no such table or view is there',
      );
    }
    throw error;
  }
}
