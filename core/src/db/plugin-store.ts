/** Rows of `hostplane.plugins`: what the admin chose (enabled, config) and where each plugin is. */
import type { Knex } from 'knex';
import type { PluginState } from '../kernel-api.js';
import { DbErrors } from './errors.js';

/** A failure kept with the plugin so admins can see it. */
export interface PluginError {
  phase: string;
  message: string;
  /** ISO time. */
  at: string;
}

/** One row of `hostplane.plugins`. */
export interface PluginRow {
  id: string;
  version: string;
  enabled: boolean;
  config: Record<string, unknown>;
  state: PluginState;
  error: PluginError | null;
  installedAt: Date | null;
  updatedAt: Date;
}

interface DbRow {
  id: string;
  version: string;
  enabled: boolean;
  config: Record<string, unknown>;
  state: PluginState;
  error: PluginError | null;
  installed_at: Date | null;
  updated_at: Date;
}

const TABLE = 'hostplane.plugins';
// States that imply the plugin's migrations ran.
const INSTALLED: ReadonlySet<string> = new Set<PluginState>(['installed', 'enabled', 'started']);
const STATES: ReadonlySet<string> = new Set<PluginState>(['discovered', 'installed', 'enabled', 'started', 'disabled', 'failed']);

/** Every plugin row, by id. */
export async function listPluginRows(knex: Knex): Promise<PluginRow[]> {
  const rows = await knex<DbRow>(TABLE).select('*').orderBy('id');
  return rows.map(toRow);
}

/** One row, or undefined. */
export async function getPluginRow(knex: Knex, id: string): Promise<PluginRow | undefined> {
  const row = await knex<DbRow>(TABLE).where({ id }).first();
  return row ? toRow(row) : undefined;
}

/**
 * Insert the row of a discovered plugin if it is missing; an existing row keeps its choices
 * (enabled, config, state) and only takes the version found on disk.
 */
export async function upsertPluginRow(knex: Knex, plugin: { id: string; version: string }): Promise<PluginRow> {
  if (typeof plugin.id !== 'string' || plugin.id === '')
    throw DbErrors.pluginRowInvalid(String(plugin.id), 'id must be a non-empty string');
  if (typeof plugin.version !== 'string' || plugin.version === '') {
    throw DbErrors.pluginRowInvalid(plugin.id, 'version must be a non-empty string');
  }
  const { rows } = await knex.raw<{ rows: DbRow[] }>(
    `insert into hostplane.plugins (id, version) values (?, ?)
     on conflict (id) do update set version = excluded.version
       where plugins.version is distinct from excluded.version
     returning *`,
    [plugin.id, plugin.version],
  );
  // No row back: it existed with the same version, so nothing was written.
  const row = rows[0] ?? (await knex<DbRow>(TABLE).where({ id: plugin.id }).first());
  return toRow(row!);
}

/** Remember the admin's wish. Throws DB_ERR_PLUGIN_NOT_FOUND for an unknown id. */
export async function setPluginEnabled(knex: Knex, id: string, enabled: boolean): Promise<PluginRow> {
  if (typeof enabled !== 'boolean') throw DbErrors.pluginRowInvalid(id, 'enabled must be a boolean');
  return update(knex, id, { enabled });
}

/** Store a (validated) config object. */
export async function setPluginConfig(knex: Knex, id: string, config: Record<string, unknown>): Promise<PluginRow> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw DbErrors.pluginRowInvalid(id, 'config must be an object');
  }
  // Stringified by hand: pg would send a JS array as a PostgreSQL array, not JSON.
  return update(knex, id, { config: JSON.stringify(config) });
}

/**
 * Record a lifecycle state and the error that goes with it (null clears it). The first time a
 * plugin reaches `installed` (or a later step: enabled, started), `installed_at` is set.
 */
export async function setPluginState(
  knex: Knex,
  id: string,
  state: PluginState,
  error: { phase: string; message: string; at: string | Date } | null,
): Promise<PluginRow> {
  if (!STATES.has(state)) throw DbErrors.pluginRowInvalid(id, `unknown state "${String(state)}"`);
  let stored: string | null = null;
  if (error !== null) {
    if (typeof error !== 'object' || typeof error.phase !== 'string' || typeof error.message !== 'string') {
      throw DbErrors.pluginRowInvalid(id, 'error must be { phase, message, at } or null');
    }
    const at = error.at instanceof Date ? error.at : new Date(error.at);
    if (Number.isNaN(at.getTime())) throw DbErrors.pluginRowInvalid(id, 'error.at must be a time');
    stored = JSON.stringify({ phase: error.phase, message: error.message, at: at.toISOString() });
  }
  const changes: Record<string, unknown> = { state, error: stored };
  if (INSTALLED.has(state)) changes.installed_at = knex.raw('coalesce(installed_at, now())');
  return update(knex, id, changes);
}

async function update(knex: Knex, id: string, changes: Record<string, unknown>): Promise<PluginRow> {
  const [row] = await knex<DbRow>(TABLE).where({ id }).update(changes).returning('*');
  if (!row) throw DbErrors.pluginNotFound(id);
  return toRow(row as DbRow);
}

function toRow(row: DbRow): PluginRow {
  return {
    id: row.id,
    version: row.version,
    enabled: row.enabled,
    config: row.config,
    state: row.state,
    error: row.error,
    installedAt: row.installed_at,
    updatedAt: row.updated_at,
  };
}
