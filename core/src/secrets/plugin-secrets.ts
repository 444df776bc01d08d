/**
 * `coreServices.secrets`: values a plugin makes and keeps (a backup repository's password),
 * encrypted with the platform's key and stored in `hostplane.settings` under the scope
 * `secret:<plugin id>`, each as `{ "$hostplaneSecret": <envelope> }` bound to the plugin id and
 * the name. The store below lets a key rotation re-encrypt them with everything else.
 */
import type { SecretsService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { SEALED_MARK, isSealedValue } from './config-secrets.js';
import { SecretsErrors } from './errors.js';
import type { SecretStore } from './stores.js';

/** The purpose plugin secrets are encrypted for. */
export const PLUGIN_SECRET_PURPOSE = 'plugin-secret';
const TABLE = 'hostplane.settings';
const SCOPE_PREFIX = 'secret:';
const NAME = /^[a-z0-9][a-z0-9._:-]{0,199}$/;

/** What the service needs of the kernel's secrets (sealing reopens the keyring after a rotation). */
export interface SecretSealer {
  seal(purpose: string, context: string, plaintext: string): Promise<string>;
  open(purpose: string, context: string, envelope: string): Promise<string>;
}

function contextOf(pluginId: string, name: string): string {
  return `${pluginId}\0${name}`;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw SecretsErrors.purposeInvalid(`secret name ${JSON.stringify(name)}`);
  return name;
}

/** The secrets service of one plugin. */
export function createSecretsService(knex: Knex, pluginId: string, sealer: SecretSealer): SecretsService {
  const scope = `${SCOPE_PREFIX}${pluginId}`;
  const read = async (name: string): Promise<string | undefined> => {
    const row = (await knex(TABLE).where({ scope, key: name }).first('value')) as { value: unknown } | undefined;
    if (!row) return undefined;
    if (!isSealedValue(row.value)) throw SecretsErrors.envelopeInvalid(`stored secret ${name} of ${pluginId} is not sealed`);
    return sealer.open(PLUGIN_SECRET_PURPOSE, contextOf(pluginId, name), row.value[SEALED_MARK]);
  };
  const sealed = async (name: string, value: string): Promise<string> =>
    JSON.stringify({ [SEALED_MARK]: await sealer.seal(PLUGIN_SECRET_PURPOSE, contextOf(pluginId, name), value) });
  return {
    get: async (name) => read(checkName(name)),
    async set(name, value) {
      checkName(name);
      if (typeof value !== 'string') throw new TypeError('a secret is a string');
      await knex.raw(
        `insert into ${TABLE} (scope, key, value) values (?, ?, ?::jsonb)
         on conflict (scope, key) do update set value = excluded.value`,
        [scope, name, await sealed(name, value)],
      );
    },
    async getOrCreate(name, make) {
      checkName(name);
      const existing = await read(name);
      if (existing !== undefined) return existing;
      // The first insert wins; a concurrent caller's value is dropped and the stored one read.
      await knex.raw(`insert into ${TABLE} (scope, key, value) values (?, ?, ?::jsonb) on conflict (scope, key) do nothing`, [
        scope,
        name,
        // An isolated plugin's call arrives with the value already made (see isolation/child/services.ts).
        await sealed(name, typeof make === 'function' ? make() : String(make)),
      ]);
      return (await read(name)) as string;
    },
    async delete(name) {
      await knex(TABLE)
        .where({ scope, key: checkName(name) })
        .delete();
    },
    async list() {
      return knex(TABLE).where({ scope }).orderBy('key').pluck('key');
    },
  };
}

interface Row {
  scope: string;
  key: string;
  value: unknown;
}

async function sealedRows(knex: Knex): Promise<Row[]> {
  const query = knex<Row>(TABLE)
    .where('scope', 'like', `${SCOPE_PREFIX}%`)
    .select('scope', 'key', 'value')
    .orderBy(['scope', 'key']);
  return knex.isTransaction ? query.forUpdate() : query;
}

/** Plugin secrets, for rotation and status. */
export const pluginSecretStore: SecretStore = {
  name: 'plugin secrets',
  async count(knex) {
    return (await sealedRows(knex)).filter((r) => isSealedValue(r.value)).length;
  },
  async rewrap(trx, rewrap) {
    let count = 0;
    for (const row of await sealedRows(trx)) {
      if (!isSealedValue(row.value)) continue;
      const context = contextOf(row.scope.slice(SCOPE_PREFIX.length), row.key);
      const envelope = rewrap(PLUGIN_SECRET_PURPOSE, context, row.value[SEALED_MARK]);
      await trx(TABLE)
        .where({ scope: row.scope, key: row.key })
        .update({ value: JSON.stringify({ [SEALED_MARK]: envelope }) });
      count += 1;
    }
    return count;
  },
};
