/**
 * Secrets at rest. `secret_keys` remembers which key encrypts (its id, never the key) so a
 * process started with another key refuses instead of writing values nobody can read; each
 * plugin row says whether its config was sealed yet. Configs stored before this migration are
 * marked unsealed: the kernel seals them at the first start that has loaded the plugin's schema
 * (which says which fields are secret) — a migration cannot, it runs no plugin code.
 */
import type { Knex } from 'knex';
import { SecretsErrors } from '../../secrets/errors.js';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.secret_keys (
    id text primary key check (id ~ '^[0-9a-f]{16}$'),
    state text not null check (state in ('active', 'retired')),
    created_at timestamptz not null default now(),
    retired_at timestamptz
  )`);
  await knex.raw(`create unique index secret_keys_one_active on hostplane.secret_keys ((true)) where state = 'active'`);
  await knex.raw('alter table hostplane.plugins add column secrets_sealed boolean not null default true');
  await knex.raw(`update hostplane.plugins set secrets_sealed = false where config <> '{}'::jsonb`);
}

export async function down(knex: Knex): Promise<void> {
  // Older code would hand ciphertexts to plugins as their passwords: refuse, say what to run.
  const { rows } = await knex.raw<{ rows: Array<{ n: number }> }>(
    `select count(*)::int as n from hostplane.plugins where config::text like '%"$hostplaneSecret"%'`,
  );
  const count = rows[0]?.n ?? 0;
  if (count > 0) throw SecretsErrors.plaintextLeft(count);
  await knex.raw('alter table hostplane.plugins drop column secrets_sealed');
  await knex.raw('drop table hostplane.secret_keys');
}
