/**
 * Places that hold encrypted secrets. A rotation walks every store inside one transaction; the
 * plugin-config store is the kernel's own, and other parts of the platform (per-plugin database
 * role passwords, backup and payment keys) add theirs with `kernel.secrets.addStore(...)`.
 */
import type { Knex } from 'knex';
import { mapSealed, PLUGIN_CONFIG_PURPOSE, configContext, countSealed } from './config-secrets.js';

/** Re-encrypt one value: given its purpose, context and envelope, answer the new envelope. */
export type Rewrap = (purpose: string, context: string, envelope: string) => string;

/** A place that holds envelopes. */
export interface SecretStore {
  /** Shown by `hostplane secrets status`. */
  name: string;
  /** How many envelopes it holds. */
  count(knex: Knex): Promise<number>;
  /** Replace every envelope by `rewrap(...)` of it, inside `trx`; answer how many. */
  rewrap(trx: Knex.Transaction, rewrap: Rewrap): Promise<number>;
  /** Write every value back in the clear (before a downgrade); answer how many. Optional. */
  reveal?(trx: Knex.Transaction, decrypt: Rewrap): Promise<number>;
}

interface ConfigRow {
  id: string;
  config: Record<string, unknown>;
}

async function sealedRows(knex: Knex): Promise<ConfigRow[]> {
  // Rows locked for the rest of the transaction: a config change waits for the rotation.
  const query = knex<ConfigRow>('hostplane.plugins')
    .whereRaw(`config::text like '%"$hostplaneSecret"%'`)
    .select('id', 'config')
    .orderBy('id');
  return knex.isTransaction ? query.forUpdate() : query;
}

async function rewriteConfigs(
  trx: Knex.Transaction,
  fn: (id: string, envelope: string, pointer: string) => unknown,
): Promise<number> {
  let count = 0;
  for (const row of await sealedRows(trx)) {
    const config = mapSealed(row.config, (envelope, pointer) => {
      count += 1;
      return fn(row.id, envelope, pointer);
    });
    await trx('hostplane.plugins')
      .where({ id: row.id })
      .update({ config: JSON.stringify(config) });
  }
  return count;
}

/** Secret fields of stored plugin configs. */
export const pluginConfigStore: SecretStore = {
  name: 'plugin configs',
  async count(knex) {
    return (await sealedRows(knex)).reduce((sum, row) => sum + countSealed(row.config), 0);
  },
  rewrap(trx, rewrap) {
    return rewriteConfigs(trx, (id, envelope, pointer) => ({
      $hostplaneSecret: rewrap(PLUGIN_CONFIG_PURPOSE, configContext(id, pointer), envelope),
    }));
  },
  async reveal(trx, decrypt) {
    const count = await rewriteConfigs(trx, (id, envelope, pointer) =>
      JSON.parse(decrypt(PLUGIN_CONFIG_PURPOSE, configContext(id, pointer), envelope)),
    );
    // Their secrets are in the clear again: the next start (of a version that seals) seals them.
    await trx('hostplane.plugins').update({ secrets_sealed: false }).whereRaw(`config <> '{}'::jsonb`);
    return count;
  },
};
