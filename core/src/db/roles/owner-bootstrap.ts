/**
 * The only work done as a superuser: make the database's owner role and hand it the database.
 * The host then reconnects as that role and never holds superuser rights again (docs/decisions,
 * "Database least privilege"). Idempotent and serialised, so every start (and every parallel
 * process) may run it; it also moves an existing installation, whose objects a superuser owns,
 * over to the owner.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ownerRoleName } from './role-names.js';
import { reownSchemas } from './reown.js';
import { ident, literal } from './sql-text.js';

/** Login of a role the host connects as. The password is a secret: never log it. */
export interface RoleLogin {
  user: string;
  password: string;
}

/**
 * Schema only superusers can read, holding the owner's password: the owner must not be able to
 * read it (nor need to), and a host that starts with a superuser URL finds it again there. Its
 * own migration-free table, since the owner's migrations cannot reach it.
 */
const VAULT = 'hostplane_bootstrap';

/** Core and plugin schemas a superuser still owns (an installation from before roles). */
const HOSTPLANE_SCHEMAS = `(n.nspname in ('hostplane', 'graphile_worker') or n.nspname like 'plugin\\_%')`;

/** A password for a login role: 32 random bytes, URL-safe so it can sit in a connection URL. */
export function newRolePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** True when the connection's role is a superuser. */
export async function isSuperuser(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: Array<{ rolsuper: boolean }> }>(
    'select rolsuper from pg_roles where rolname = current_user',
  );
  return rows[0]?.rolsuper === true;
}

/**
 * As a superuser: create (or repair) the owner role of the current database, give it the
 * database and the schemas Hostplane uses, and return how to log in as it.
 */
export async function bootstrapOwner(knex: Knex, options: { ownsCluster?: boolean } = {}): Promise<RoleLogin> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['hostplane.roles:bootstrap']);
    const database = await currentDatabase(trx);
    const owner = ownerRoleName(database);
    const password = await ownerPassword(trx, owner);
    await trx.raw(`alter database ${ident(database)} owner to ${ident(owner)}`);
    // Only roles granted CONNECT (the owner by ownership, each plugin's role) may connect; no
    // one else may make temporary objects, which a search_path could otherwise be tricked into.
    await trx.raw(`revoke all on database ${ident(database)} from public`);
    await trx.raw('revoke create on schema public from public');
    // Roles are cluster-wide: on a cluster of its own (the embedded server) no role of ours may
    // connect to the other databases either. On a shared server that is the operator's call.
    if (options.ownsCluster) {
      const others = await trx.raw<{ rows: Array<{ name: string }> }>(
        'select datname as name from pg_database where datname <> current_database() and datallowconn',
      );
      for (const { name } of others.rows) await trx.raw(`revoke connect, temporary on database ${ident(name)} from public`);
    }
    // What a superuser made before (an existing installation) becomes the owner's; the plugins'
    // schemas pass on to their own roles when each is next enabled.
    await reownSchemas(trx, owner, HOSTPLANE_SCHEMAS, 'r.rolsuper');
    return { user: owner, password };
  });
}

async function currentDatabase(trx: Knex.Transaction): Promise<string> {
  const { rows } = await trx.raw<{ rows: Array<{ name: string }> }>('select current_database() as name');
  return rows[0]!.name;
}

/** Create the role with a stored password, or take the stored one; the attributes are re-asserted. */
async function ownerPassword(trx: Knex.Transaction, owner: string): Promise<string> {
  await trx.raw(`create schema if not exists ${VAULT}`);
  await trx.raw(`revoke all on schema ${VAULT} from public`);
  await trx.raw(`create table if not exists ${VAULT}.role_passwords (role_name text primary key, password text not null)`);
  const stored = await trx(`${VAULT}.role_passwords`).where({ role_name: owner }).first('password');
  const exists = (await trx.raw<{ rows: unknown[] }>('select 1 from pg_roles where rolname = ?', [owner])).rows.length > 0;
  let password = stored?.password as string | undefined;
  // CREATEROLE to make the plugins' roles; nothing that reaches beyond this database.
  const attributes = 'login nosuperuser createrole nocreatedb noreplication nobypassrls inherit';
  if (!exists) {
    password ??= newRolePassword();
    await trx.raw(`create role ${ident(owner)} ${attributes} password ${literal(password)}`);
  } else {
    if (password === undefined) {
      password = newRolePassword();
      await trx.raw(`alter role ${ident(owner)} password ${literal(password)}`);
    }
    await trx.raw(`alter role ${ident(owner)} ${attributes}`);
  }
  if (!stored) await trx(`${VAULT}.role_passwords`).insert({ role_name: owner, password });
  return password;
}
