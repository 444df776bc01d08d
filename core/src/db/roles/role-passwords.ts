/**
 * Where the passwords of plugins' login roles are kept: `hostplane.plugin_roles`, a table only
 * the owner role reads, each password sealed with the platform's secret key (an `hpsec:`
 * envelope bound to its role name). The one module that reads or writes them.
 */
import type { Knex } from 'knex';
import type { Keyring } from '../../secrets/keyring.js';
import type { SecretStore } from '../../secrets/stores.js';

const TABLE = 'hostplane.plugin_roles';

/** The purpose role passwords are sealed under (with the role's name as context). */
export const ROLE_PASSWORD_PURPOSE = 'database-role';

/** Seals and opens stored passwords; without one (tests of the roles alone) they are kept as given. */
export interface PasswordSeal {
  seal(role: string, password: string): string;
  open(role: string, stored: string): string;
}

const sealed = (stored: string): boolean => stored.startsWith('hpsec:');

/** A seal on the platform's key; `keyring` is read at each use, so a rotation is followed. */
export function keyringSeal(keyring: () => Keyring): PasswordSeal {
  return {
    seal: (role, password) => keyring().encryptSecret(ROLE_PASSWORD_PURPOSE, role, password),
    // A password stored before sealing existed is read as it is (and sealed on its next store).
    open: (role, stored) => (sealed(stored) ? keyring().decryptSecret(ROLE_PASSWORD_PURPOSE, role, stored) : stored),
  };
}

/** A plugin's role and password as stored. */
export interface StoredPluginLogin {
  role: string;
  password: string;
  /** False when the stored password is in the clear (written before sealing, or without a seal). */
  sealed?: boolean;
}

/** The stored login of `pluginId`, if any, with its password opened. */
export async function readPluginLogin(
  db: Knex | Knex.Transaction,
  pluginId: string,
  seal?: PasswordSeal,
): Promise<StoredPluginLogin | undefined> {
  const row = (await db(TABLE).where({ plugin_id: pluginId }).first('role_name', 'password')) as
    { role_name: string; password: string } | undefined;
  if (!row) return undefined;
  return {
    role: row.role_name,
    password: seal ? seal.open(row.role_name, row.password) : row.password,
    sealed: sealed(row.password),
  };
}

/** Store (or replace) the login of `pluginId`, sealing its password when given a seal. */
export async function storePluginLogin(
  db: Knex | Knex.Transaction,
  pluginId: string,
  login: StoredPluginLogin,
  seal?: PasswordSeal,
): Promise<void> {
  const password = seal ? seal.seal(login.role, login.password) : login.password;
  await db(TABLE)
    .insert({ plugin_id: pluginId, role_name: login.role, password })
    .onConflict('plugin_id')
    .merge(['role_name', 'password']);
}

/** True when the table exists: a schema migrated below it (a downgrade under way) has none. */
async function present(db: Knex | Knex.Transaction): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ found: string | null }> }>(`select to_regclass(?)::text as found`, [TABLE]);
  return rows[0]?.found != null;
}

/** The role passwords, for `hostplane secrets rotate-key|status|decrypt-all`. */
export const rolePasswordStore: SecretStore = {
  name: 'database role passwords',
  async count(knex) {
    if (!(await present(knex))) return 0;
    const row = (await knex(TABLE).where('password', 'like', 'hpsec:%').count<{ count: string }[]>({ count: '*' }).first()) as
      { count: string } | undefined;
    return Number(row?.count ?? 0);
  },
  async rewrap(trx, rewrap) {
    return rewrite(trx, rewrap);
  },
  async reveal(trx, decrypt) {
    return rewrite(trx, decrypt);
  },
};

async function rewrite(
  trx: Knex.Transaction,
  change: (purpose: string, context: string, envelope: string) => string,
): Promise<number> {
  if (!(await present(trx))) return 0;
  const rows = (await trx(TABLE)
    .where('password', 'like', 'hpsec:%')
    .forUpdate()
    .select('plugin_id', 'role_name', 'password')) as Array<{
    plugin_id: string;
    role_name: string;
    password: string;
  }>;
  for (const row of rows) {
    await trx(TABLE)
      .where({ plugin_id: row.plugin_id })
      .update({ password: change(ROLE_PASSWORD_PURPOSE, row.role_name, row.password) });
  }
  return rows.length;
}
