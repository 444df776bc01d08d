/** Error codes of the database layer. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const DbErrors = {
  urlInvalid: defineError(
    'DB_ERR_URL_INVALID',
    500,
    (reason: string) => `DATABASE_URL is not a usable PostgreSQL URL: ${reason}`,
  ),
  connectFailed: defineError(
    'DB_ERR_CONNECT_FAILED',
    503,
    (where: string, reason: string) => `cannot connect to PostgreSQL at ${where}: ${reason}`,
  ),
  embeddedStartFailed: defineError(
    'DB_ERR_EMBEDDED_START_FAILED',
    500,
    (dir: string, reason: string) => `embedded PostgreSQL in ${dir} did not start: ${reason}`,
  ),
  embeddedDirInvalid: defineError(
    'DB_ERR_EMBEDDED_DIR_INVALID',
    500,
    (dir: string, reason: string) => `embedded PostgreSQL data directory ${dir} cannot be used: ${reason}`,
  ),
  embeddedInUse: defineError(
    'DB_ERR_EMBEDDED_IN_USE',
    409,
    (dir: string, pid: number) => `embedded PostgreSQL in ${dir} is already running (pid ${pid}) for another process`,
  ),
  migrationFailed: defineError(
    'DB_ERR_MIGRATION_FAILED',
    500,
    (owner: string, file: string, reason: string) => `migration ${file} of ${owner} failed: ${reason}`,
    (owner: string, file: string) => ({ owner, file }),
  ),
  migrationsInvalid: defineError(
    'DB_ERR_MIGRATIONS_INVALID',
    500,
    (owner: string, reason: string) => `migrations of ${owner} cannot run: ${reason}`,
    (owner: string) => ({ owner }),
  ),
  migrationLoadFailed: defineError(
    'DB_ERR_MIGRATION_LOAD_FAILED',
    500,
    (owner: string, file: string, reason: string) => `cannot load migration ${file} of ${owner}: ${reason}`,
    (owner: string, file: string) => ({ owner, file }),
  ),
  migrationActionInvalid: defineError(
    'DB_ERR_MIGRATION_ACTION_INVALID',
    400,
    (action: string) => `unknown migration action "${action}" (use latest, up, down or rollback-all)`,
  ),
  pluginIdInvalid: defineError(
    'DB_ERR_PLUGIN_ID_INVALID',
    400,
    (id: string) => `"${id}" is not a valid plugin id ([a-z][a-z0-9-]*, at most 56 characters)`,
  ),
  tableNameInvalid: defineError(
    'DB_ERR_TABLE_NAME_INVALID',
    500,
    (name: string) => `"${name}" is not a table name of the plugin's own schema (no dots)`,
  ),
  pluginNotFound: defineError('DB_ERR_PLUGIN_NOT_FOUND', 404, (id: string) => `no plugin row "${id}"`),
  pluginRowInvalid: defineError('DB_ERR_PLUGIN_ROW_INVALID', 400, (id: string, reason: string) => `plugin "${id}": ${reason}`),
} as const;
