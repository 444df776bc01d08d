/**
 * Names of the database roles Hostplane makes. Roles are cluster-wide while Hostplane's data
 * lives in one database, so every name carries a short hash of the database name: two
 * installations (or two parallel test databases) on one server never share a role.
 */
import { createHash } from 'node:crypto';

// PostgreSQL truncates identifiers beyond 63 bytes; truncation could make two names equal.
const MAX_IDENTIFIER = 63;

/** `hp_<10 hex of sha256(database)>`: the prefix of every role of `database`. */
export function rolePrefix(database: string): string {
  return `hp_${createHash('sha256').update(database).digest('hex').slice(0, 10)}`;
}

/** The role the host runs as: owner of the database, `hostplane` and `graphile_worker`. */
export function ownerRoleName(database: string): string {
  return `${rolePrefix(database)}_owner`;
}

/**
 * The login role of plugin `pluginId` (already validated as `[a-z][a-z0-9-]*`). A long id is
 * cut and suffixed with a hash of the whole id so the name stays within 63 bytes and unique.
 */
export function pluginRoleName(database: string, pluginId: string): string {
  const base = `${rolePrefix(database)}_p_`;
  const id = pluginId.replaceAll('-', '_');
  if (base.length + id.length <= MAX_IDENTIFIER) return base + id;
  const hash = createHash('sha256').update(pluginId).digest('hex').slice(0, 8);
  return `${base}${id.slice(0, MAX_IDENTIFIER - base.length - hash.length - 1)}_${hash}`;
}
