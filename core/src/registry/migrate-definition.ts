/**
 * A plugin's migrations run where its code runs. A migration is a module of the plugin's: an
 * isolated plugin's would run with the host's user and rights if the host imported it, so the
 * plugin's own process runs them (as its own user, under the permission model, with its own
 * database role). In-process plugins migrate here, as their own database role too.
 */
import type { Knex } from 'knex';
import { migratePlugin, type MigrationAction } from '../db/index.js';
import { isolatedOf } from '../isolation/isolated-plugin.js';
import type { AnyPlugin } from './load-definition.js';

/** Migrate `definition`'s schema; resolves with the names migrated, in order. */
export function migrateDefinition(
  definition: AnyPlugin,
  knex: Knex,
  options: { pluginId: string; action: MigrationAction; signal?: AbortSignal },
): Promise<string[]> {
  const isolated = isolatedOf(definition);
  if (isolated) return isolated.migrate(options.action, options.signal);
  if (!definition.migrations) return Promise.resolve([]);
  return migratePlugin(knex, {
    pluginId: options.pluginId,
    directory: definition.migrations,
    action: options.action,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
