/** The database service a plugin receives (`coreServices.database`): its own role's pool, its own schema. */
import type { DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DbErrors } from '../db/errors.js';
import { pluginSchemaName } from '../db/plugin-migrator.js';

/** Bind `knex` (the plugin's own pool, db/plugin-database.ts) to its schema `plugin_<id>`. */
export function createPluginDatabase(knex: Knex, pluginId: string): DatabaseService {
  const schema = pluginSchemaName(pluginId);
  return {
    knex,
    schema,
    table<TRecord extends object = Record<string, unknown>>(name: string, trx?: Knex.Transaction): Knex.QueryBuilder<TRecord> {
      // A dotted name would reach into another schema through the helper meant for one's own.
      if (typeof name !== 'string' || name === '' || name.includes('.')) throw DbErrors.tableNameInvalid(String(name));
      return (trx ?? knex)<TRecord>(name).withSchema(schema) as Knex.QueryBuilder<TRecord>;
    },
    transaction: <T>(fn: (trx: Knex.Transaction) => Promise<T>) => knex.transaction(fn),
  };
}
