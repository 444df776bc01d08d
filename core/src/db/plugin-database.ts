/**
 * A plugin's own connection pool, logged in as its own role (roles/plugin-roles.ts). What the
 * plugin's `db` handle and its migrations run on; the host's pool is never handed to plugin code.
 */
import type { Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { closePool } from './close-pool.js';
import { createKnex, withLogin } from './open-database.js';
import { ensurePluginRole, type PluginRoleRequest } from './roles/plugin-roles.js';
import type { PasswordSeal } from './roles/role-passwords.js';

/** Connections in one plugin's pool: its requests share them (the role allows a few more). */
export const PLUGIN_POOL_MAX = 5;

/** An open plugin pool. */
export interface PluginDatabaseHandle {
  /** knex logged in as the plugin's role. */
  knex: Knex;
  /** The role's name. */
  role: string;
  /** Destroy the pool; connections still in use after `graceMs` are terminated. Safe to call twice. */
  close(graceMs?: number): Promise<void>;
}

/** What {@link openPluginDatabase} needs of the host's database. */
export interface OwnerDatabase {
  /** The owner role's pool, which makes the plugin's role. */
  knex: Knex;
  /** The owner role's URL: the plugin's pool goes to the same server and database. */
  url: string;
  logger?: Logger;
  /** Seals the role's stored password with the platform's key. */
  seal?: PasswordSeal;
}

/** Make sure the plugin's role and grants are as requested, then open a pool as that role. */
export async function openPluginDatabase(owner: OwnerDatabase, request: PluginRoleRequest): Promise<PluginDatabaseHandle> {
  const login = await ensurePluginRole(owner.knex, request, owner.seal);
  const url = withLogin(owner.url, login);
  const logger = owner.logger?.child({ plugin: request.pluginId });
  const knex = createKnex(url, PLUGIN_POOL_MAX, logger, `hostplane:${request.pluginId}`);
  let closed: Promise<void> | undefined;
  return {
    knex,
    role: login.user,
    close: (graceMs = 5000) => (closed ??= closePool(knex, url, graceMs, logger)),
  };
}
