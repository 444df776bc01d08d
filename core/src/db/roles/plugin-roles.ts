/**
 * Each plugin's own login role (docs/decisions, "Database least privilege"): it owns the
 * plugin's schema `plugin_<id>` and reaches nothing else but what {@link coreGrants} gives its
 * declared capabilities and what other plugins share with it by manifest. It is NOINHERIT and a
 * member of no role, so `SET ROLE` has nowhere to go; not a superuser, so `SET SESSION
 * AUTHORIZATION` is refused. The owner role is made a member of it, to manage what it owns.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { pluginSchemaName } from '../plugin-migrator.js';
import { newRolePassword, type RoleLogin } from './owner-bootstrap.js';
import { coreGrants, coreRevokes } from './plugin-grants.js';
import { reownSchemas } from './reown.js';
import { readPluginLogin, storePluginLogin, type PasswordSeal } from './role-passwords.js';
import { pluginRoleName } from './role-names.js';
import { ident, literal } from './sql-text.js';

/** Connections a plugin's role may hold at once: its pool, a migration, a cancel. */
export const PLUGIN_CONNECTION_LIMIT = 10;

/** What a plugin's role is given. */
export interface PluginRoleRequest {
  pluginId: string;
  /** Its granted kernel capabilities (the manifest's `permissions`). */
  capabilities: ReadonlySet<string>;
  /** Other plugins' shared relations it reads, already matched against their manifests. */
  reads: ReadonlyArray<{ pluginId: string; relation: string }>;
}

/** A shared relation that is not there to grant. */
export class SharedRelationMissingError extends Error {
  constructor(
    readonly provider: string,
    readonly relation: string,
  ) {
    super(`plugin "${provider}" shares "${relation}", but ${pluginSchemaName(provider)}.${relation} does not exist`);
  }
}

/**
 * Create or bring up to date the role of a plugin, its schema and its grants; return its login.
 * Runs as the owner role. Idempotent, and serialised across plugins and processes: GRANTs
 * for different roles on the same schema update one catalog row, and two at once fail with
 * "tuple concurrently updated" (plugins are prepared side by side at boot).
 */
export async function ensurePluginRole(knex: Knex, request: PluginRoleRequest, seal?: PasswordSeal): Promise<RoleLogin> {
  const schema = pluginSchemaName(request.pluginId);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['hostplane.roles']);
    const facts = await trx.raw<{ rows: Array<{ database: string; owner: string; version: number }> }>(
      `select current_database() as database, current_user as owner, current_setting('server_version_num')::int as version`,
    );
    const { database, owner, version } = facts.rows[0]!;
    const role = pluginRoleName(database, request.pluginId);
    const password = await loginOf(trx, request.pluginId, role, seal);
    await dropMemberships(trx, role);
    // Grants are applied again only when what they are made of changed since the last time:
    // they are the same on nearly every start, and applying them is a score of statements.
    const { digest, schemaOwner } = await grantsDigest(trx, owner, schema, request);
    if (schemaOwner === role && (await appliedDigest(trx, role)) === digest) return { user: role, password };
    // The owner manages what the plugin's role owns (and may end its connections); the reverse
    // membership never exists.
    await trx.raw(`grant ${ident(role)} to ${ident(owner)}${version >= 160000 ? ' with inherit true, set true' : ''}`);
    await trx.raw(`grant connect on database ${ident(database)} to ${ident(role)}`);
    await trx.raw(`create schema if not exists ${ident(schema)} authorization ${ident(role)}`);
    await reownSchemas(trx, role, `n.nspname = ${literal(schema)}`, `r.rolname <> ${literal(role)}`);
    for (const statement of coreRevokes(role)) await trx.raw(statement);
    for (const statement of coreGrants(role, request.capabilities)) await trx.raw(statement);
    await grantReads(trx, role, schema, request.reads);
    await trx.raw(`comment on role ${ident(role)} is ${literal(`${DIGEST_MARK}${digest}`)}`);
    return { user: role, password };
  });
}

/** Version of what {@link ensurePluginRole} grants: raise it when the grants change. */
const GRANTS_VERSION = 1;
const DIGEST_MARK = 'hostplane grants ';

/**
 * What the role's grants are made of: the capabilities, the shared relations it reads (by oid,
 * so a relation dropped and made again, which loses its grants, counts as a change), the owner
 * and the grants' version; and who owns the plugin's schema now.
 */
async function grantsDigest(
  trx: Knex.Transaction,
  owner: string,
  schema: string,
  request: PluginRoleRequest,
): Promise<{ digest: string; schemaOwner: string | null }> {
  const reads = [...request.reads].map((r) => `${pluginSchemaName(r.pluginId)}.${r.relation}`).sort();
  const { rows } = await trx.raw<{ rows: Array<{ oids: string[] | null; schema_owner: string | null }> }>(
    `select (select array_agg(coalesce(to_regclass(quote_ident(split_part(r, '.', 1)) || '.' || quote_ident(split_part(r, '.', 2)))::oid::text, '-')
                               order by r) from unnest(?::text[]) as r) as oids,
            (select nspowner::regrole::text from pg_namespace where nspname = ?) as schema_owner`,
    [reads, schema],
  );
  const facts = { v: GRANTS_VERSION, owner, capabilities: [...request.capabilities].sort(), reads, oids: rows[0]?.oids ?? [] };
  return { digest: createHash('sha256').update(JSON.stringify(facts)).digest('hex'), schemaOwner: rows[0]?.schema_owner ?? null };
}

/** The digest the role's grants were last applied for, kept as the role's comment. */
async function appliedDigest(trx: Knex.Transaction, role: string): Promise<string | undefined> {
  const { rows } = await trx.raw<{ rows: Array<{ comment: string | null }> }>(
    `select shobj_description(oid, 'pg_authid') as comment from pg_roles where rolname = ?`,
    [role],
  );
  const comment = rows[0]?.comment;
  return comment?.startsWith(DIGEST_MARK) ? comment.slice(DIGEST_MARK.length) : undefined;
}

/** Create the role with a new password, or re-assert its attributes and take the stored one. */
async function loginOf(trx: Knex.Transaction, pluginId: string, role: string, seal?: PasswordSeal): Promise<string> {
  const attributes = `login noinherit connection limit ${PLUGIN_CONNECTION_LIMIT}`;
  const stored = await readPluginLogin(trx, pluginId, seal);
  const { rows } = await trx.raw<{ rows: Array<{ elevated: boolean }> }>(
    'select rolsuper or rolreplication or rolbypassrls or rolcreatedb or rolcreaterole as elevated from pg_roles where rolname = ?',
    [role],
  );
  if (rows.length === 0) {
    const password = newRolePassword();
    await trx.raw(
      `create role ${ident(role)} ${attributes} nocreatedb nocreaterole nosuperuser noreplication nobypassrls password ${literal(password)}`,
    );
    await storePluginLogin(trx, pluginId, { role, password }, seal);
    return password;
  }
  // Only a superuser could have raised these (and only one may lower them): refuse to run on it.
  // They are checked, not re-asserted: on PostgreSQL 16+ a CREATEROLE role without CREATEDB may
  // not even say NOCREATEDB in an ALTER ROLE (the embedded server refused every restart).
  if (rows[0]!.elevated)
    throw new Error(
      `role ${role} is a superuser, may create roles or databases, or bypasses row security: a superuser must fix it`,
    );
  await trx.raw(`alter role ${ident(role)} ${attributes}`);
  if (stored?.role === role) {
    // Written in the clear before passwords were sealed: sealed now.
    if (seal && !stored.sealed) await storePluginLogin(trx, pluginId, stored, seal);
    return stored.password;
  }
  const password = newRolePassword();
  await trx.raw(`alter role ${ident(role)} password ${literal(password)}`);
  await storePluginLogin(trx, pluginId, { role, password }, seal);
  return password;
}

/** A plugin's role belongs to no other role (whoever granted one since). */
async function dropMemberships(trx: Knex.Transaction, role: string): Promise<void> {
  const { rows } = await trx.raw<{ rows: Array<{ name: string }> }>(
    `select g.rolname as name from pg_auth_members m
       join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
      where r.rolname = ?`,
    [role],
  );
  for (const { name } of rows) await trx.raw(`revoke ${ident(name)} from ${ident(role)}`);
}

/**
 * Grant exactly the declared reads on other plugins' schemas, after taking back whatever it had
 * there (a share or a read may have been withdrawn since).
 */
async function grantReads(
  trx: Knex.Transaction,
  role: string,
  ownSchema: string,
  reads: PluginRoleRequest['reads'],
): Promise<void> {
  const { rows } = await trx.raw<{ rows: Array<{ name: string }> }>(
    `select nspname as name from pg_namespace where nspname like 'plugin\\_%' and nspname <> ?`,
    [ownSchema],
  );
  for (const { name } of rows) {
    await trx.raw(`revoke all on all tables in schema ${ident(name)} from ${ident(role)}`);
    await trx.raw(`revoke all on schema ${ident(name)} from ${ident(role)}`);
  }
  for (const { pluginId, relation } of reads) {
    const schema = pluginSchemaName(pluginId);
    const found = await trx.raw<{ rows: Array<{ found: string | null }> }>('select to_regclass(?) as found', [
      `${ident(schema)}.${ident(relation)}`,
    ]);
    if (!found.rows[0]?.found) throw new SharedRelationMissingError(pluginId, relation);
    await trx.raw(`grant usage on schema ${ident(schema)} to ${ident(role)}`);
    await trx.raw(`grant select on ${ident(schema)}.${ident(relation)} to ${ident(role)}`);
  }
}
