/** The database layer: connection, core and plugin migrations, plugin rows. */
export { DbErrors } from './errors.js';
export { openDatabase, EMBEDDED_DATABASE_NAME, type DatabaseHandle, type OpenDatabaseOptions } from './open-database.js';
export { openPluginDatabase, type PluginDatabaseHandle, type OwnerDatabase } from './plugin-database.js';
export type { PluginRoleRequest } from './roles/plugin-roles.js';
export { pgTypes } from './pg-types.js';
export { isPgError, PgCodes } from './pg-errors.js';
export type { MigrationAction, MigrationStatus } from './migration-runner.js';
export { migrateCore, coreMigrationStatus, CORE_SCHEMA } from './core-migrator.js';
export {
  migratePlugin,
  pluginMigrationStatus,
  pluginSchemaName,
  type MigratePluginOptions,
  type PluginMigrationsOptions,
} from './plugin-migrator.js';
export {
  listPluginRows,
  getPluginRow,
  upsertPluginRow,
  setPluginEnabled,
  setPluginConfig,
  setPluginState,
  type PluginRow,
  type PluginError,
} from './plugin-store.js';
