/**
 * Where the passwords of plugins' login roles are kept: `hostplane.plugin_roles`, a table only
 * the owner role reads. The one module that reads or writes them, so encrypting them at rest
 * (with the platform's secret key) changes this file and nothing else.
 */
import type { Knex } from 'knex';

const TABLE = 'hostplane.plugin_roles';

/** A plugin's role and password as stored. */
export interface StoredPluginLogin {
  role: string;
  password: string;
}

/** The stored login of `pluginId`, if any. */
export async function readPluginLogin(db: Knex | Knex.Transaction, pluginId: string): Promise<StoredPluginLogin | undefined> {
  const row = await db(TABLE).where({ plugin_id: pluginId }).first('role_name', 'password');
  return row ? { role: row.role_name as string, password: row.password as string } : undefined;
}

/** Store (or replace) the login of `pluginId`. */
export async function storePluginLogin(db: Knex | Knex.Transaction, pluginId: string, login: StoredPluginLogin): Promise<void> {
  await db(TABLE)
    .insert({ plugin_id: pluginId, role_name: login.role, password: login.password })
    .onConflict('plugin_id')
    .merge(['role_name', 'password']);
}
