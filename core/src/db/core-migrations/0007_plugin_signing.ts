/**
 * Plugin signing: the signer keys an admin trusts, and the plugin ids an admin allows to run
 * unsigned (or signed by a key nobody trusts). Both are changed only through the CLI, audited.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.plugin_signers (
    key_id text primary key check (key_id ~ '^[0-9a-f]{16}$'),
    name text not null check (length(name) between 1 and 100),
    public_key text not null unique check (length(public_key) = 44),
    created_at timestamptz not null default now()
  )`);
  await knex.raw(`create table hostplane.plugin_allowances (
    plugin_id text primary key check (plugin_id ~ '^[a-z][a-z0-9-]{0,55}$'),
    created_at timestamptz not null default now()
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hostplane.plugin_allowances');
  await knex.raw('drop table hostplane.plugin_signers');
}
