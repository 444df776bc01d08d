/**
 * Indexes on `hostplane.users` for the users list and search (bench/users-search.ts), made by
 * the accounts plugin's migrations until plugins got roles of their own: a plugin's role may not
 * index a core table, so the core makes them (all `if not exists`: an installation that ran
 * those migrations has them already).
 * - (created_at, id) for the default order; (parent_id, id) covering a subtree walk;
 * - trigram GIN indexes on lower(email) and lower(name), so `lower(x) like '%term%'` is an
 *   index lookup. pg_trgm is a trusted extension (PostgreSQL 13+) the database owner may create;
 *   where it is missing or refused, search works without them (slower) and this says so.
 */
import type { Knex } from 'knex';

const TRGM_INDEXES = [
  ['users_email_trgm_idx', 'lower(email)'],
  ['users_name_trgm_idx', 'lower(name)'],
] as const;

async function trigramSchema(knex: Knex): Promise<string | undefined> {
  const { rows } = await knex.raw<{ rows: Array<{ schema: string }> }>(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
  );
  return rows[0]?.schema;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists users_created_at_id_idx on hostplane.users (created_at, id)');
  await knex.raw('create index if not exists users_parent_id_id_idx on hostplane.users (parent_id, id)');
  let schema = await trigramSchema(knex);
  if (!schema) {
    try {
      // A savepoint: a refusal must not abort the migration's transaction.
      await knex.transaction((trx) => trx.raw('create extension if not exists pg_trgm with schema hostplane'));
      schema = await trigramSchema(knex);
    } catch (err) {
      // eslint-disable-next-line no-console -- a migration gets no logger, and this must not pass unnoticed
      console.warn(`core: pg_trgm unavailable (${(err as Error).message}); user search runs without trigram indexes`);
      return;
    }
  }
  for (const [name, expression] of TRGM_INDEXES) {
    await knex.raw(`create index if not exists ?? on hostplane.users using gin (${expression} ??.gin_trgm_ops)`, [name, schema!]);
  }
}

// The extension stays: other objects may use it by now, and it costs nothing unused.
export async function down(knex: Knex): Promise<void> {
  for (const [name] of TRGM_INDEXES) await knex.raw('drop index if exists ??', [`hostplane.${name}`]);
  await knex.raw('drop index if exists hostplane.users_parent_id_id_idx');
  await knex.raw('drop index if exists hostplane.users_created_at_id_idx');
}
