/**
 * Migrations of one plugin, run in its own schema `plugin_<id>` with its own bookkeeping table
 * `plugin_<id>.migrations` (DESIGN.md, "The plugin contract").
 */
import type { Knex } from 'knex';
import { DbErrors } from './errors.js';
import { listMigrationFiles, migrationsDirectory } from './plugin-migration-files.js';
import {
  migrationStatus,
  runMigrations,
  type MigrationAction,
  type MigrationSet,
  type MigrationStatus,
} from './migration-runner.js';

const PLUGIN_ID = /^[a-z][a-z0-9-]*$/;
// PostgreSQL truncates identifiers beyond 63 bytes; "plugin_" takes 7.
const MAX_ID_LENGTH = 56;

/** Schema of a plugin: `plugin_<id with - replaced by _>`. Throws DB_ERR_PLUGIN_ID_INVALID. */
export function pluginSchemaName(pluginId: string): string {
  if (typeof pluginId !== 'string' || !PLUGIN_ID.test(pluginId) || pluginId.length > MAX_ID_LENGTH) {
    throw DbErrors.pluginIdInvalid(String(pluginId));
  }
  return `plugin_${pluginId.replaceAll('-', '_')}`;
}

/** Which plugin and where its migrations are. */
export interface PluginMigrationsOptions {
  pluginId: string;
  /** Folder of migration modules (path or `file:` URL); missing means none. */
  directory: string | URL;
}

/** {@link PluginMigrationsOptions} plus what to do. */
export interface MigratePluginOptions extends PluginMigrationsOptions {
  action: MigrationAction;
  /** Abort to cancel the migration running (see {@link MigrationSet.signal}). */
  signal?: AbortSignal;
}

function pluginSet(options: PluginMigrationsOptions & { signal?: AbortSignal }): MigrationSet {
  const schema = pluginSchemaName(options.pluginId);
  const owner = `plugin "${options.pluginId}"`;
  const dir = migrationsDirectory(options.directory, owner);
  return {
    owner,
    schema,
    tableName: 'migrations',
    ...(options.signal ? { signal: options.signal } : {}),
    list: () => listMigrationFiles(dir, owner),
    // Unqualified names in the plugin's migrations land in its schema; `public` stays visible
    // for extensions' functions and types.
    prepare: async (trx) => {
      await trx.raw('set local search_path to ??, public', [schema]);
    },
  };
}

/**
 * Migrate a plugin's schema (created when missing). Each migration runs in a transaction.
 * Returns the names migrated, in order. Throws DB_ERR_* errors naming the plugin and file.
 */
export async function migratePlugin(knex: Knex, options: MigratePluginOptions): Promise<string[]> {
  return runMigrations(knex, pluginSet(options), options.action);
}

/** Applied and pending migrations of a plugin. Creates nothing. */
export async function pluginMigrationStatus(knex: Knex, options: PluginMigrationsOptions): Promise<MigrationStatus> {
  return migrationStatus(knex, pluginSet(options));
}
