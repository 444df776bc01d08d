/**
 * What a plugin's role may do outside its own schema, by declared capability: exactly what the
 * platform services it was granted do on the plugin's own transaction (a `trx` handed to
 * `users.setStatus`, `audit.record`, `limits.assert`, `jobs.enqueue`, `tenancy.scope`), and no
 * more. Secrets (password hashes, sessions, tokens, plugin configs, settings) are never granted.
 */
import { PUBLIC_COLUMNS } from '../../services/users.js';
import { ident } from './sql-text.js';

/** Columns of `hostplane.users` a plugin may read: all but `password_hash` (what the users service reads, and `deleted_at`). */
export const READABLE_USER_COLUMNS = [...PUBLIC_COLUMNS, 'deleted_at'] as const;

/** Columns the users service writes inside a caller's transaction (setStatus, update, setPassword). */
const WRITABLE_USER_COLUMNS = ['name', 'status', 'deleted_at', 'password_hash', 'email_verified_at'] as const;

const columns = (names: readonly string[]): string => names.map(ident).join(', ');

/** GRANT statements for `role` holding `capabilities` (all on the core schema). */
export function coreGrants(role: string, capabilities: ReadonlySet<string>): string[] {
  const to = ident(role);
  // Tenancy (`tenancy.scope`) is a semi-join on the closure table inside the plugin's own query.
  const grants = [`grant usage on schema hostplane to ${to}`, `grant select on hostplane.user_tree to ${to}`];
  if (capabilities.has('users')) {
    grants.push(
      `grant select (${columns(READABLE_USER_COLUMNS)}), references (id), update (${columns(WRITABLE_USER_COLUMNS)})
         on hostplane.users to ${to}`,
    );
  }
  if (capabilities.has('audit')) {
    // `source` is stamped by a trigger from the role: a plugin cannot write as another.
    grants.push(`grant insert on hostplane.audit_log to ${to}`, `grant usage on sequence hostplane.audit_log_id_seq to ${to}`);
  }
  if (capabilities.has('audit:read')) grants.push(`grant select on hostplane.audit_log to ${to}`);
  if (capabilities.has('mailer')) {
    grants.push(`grant insert, select (id) on hostplane.outbox to ${to}`);
  }
  if (capabilities.has('limits')) {
    grants.push(`grant select, insert, update, delete on hostplane.subscription_usage to ${to}`);
  }
  if (capabilities.has('jobs')) {
    grants.push(
      `grant execute on function hostplane.add_plugin_job(text, json, text, timestamptz, integer, text, integer) to ${to}`,
      `grant execute on function hostplane.add_plugin_jobs(text, json, text, integer) to ${to}`,
    );
  }
  return grants;
}

/** REVOKE statements undoing every earlier grant on the core schema (capabilities may shrink). */
export function coreRevokes(role: string): string[] {
  const from = ident(role);
  return [
    `revoke all on all tables in schema hostplane from ${from}`,
    `revoke all on all sequences in schema hostplane from ${from}`,
    // Not "all functions in schema": extension functions there (pg_trgm's, made by a superuser
    // on older installations) are not the owner's to revoke on.
    `revoke all on function hostplane.add_plugin_job(text, json, text, timestamptz, integer, text, integer) from ${from}`,
    `revoke all on function hostplane.add_plugin_jobs(text, json, text, integer) from ${from}`,
    `revoke all on schema hostplane from ${from}`,
  ];
}
