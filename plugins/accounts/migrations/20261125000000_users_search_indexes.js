// Indexes for GET /v1/users on the core users table, which this plugin's list searches:
// - trigram GIN indexes on lower(email) and lower(name), so `lower(x) like '%term%'` (the
//   search) is an index lookup instead of a scan of every user (bench/users-search.ts: 100k);
// - (created_at, id) for the default order, so a page needs no sort of the whole table.
// pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where it is
// missing or may not be created, the search keeps working without its indexes (slower), and the
// migration says so instead of failing the plugin.
const TRGM_INDEXES = [
  ['users_email_trgm_idx', 'lower(email)'],
  ['users_name_trgm_idx', 'lower(name)'],
];

function quoteIdent(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

async function trigramSchema(knex) {
  const { rows } = await knex.raw(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
  );
  return rows[0]?.schema;
}

export async function up(knex) {
  await knex.raw('create index if not exists users_created_at_id_idx on hostplane.users (created_at, id)');
  let schema = await trigramSchema(knex);
  if (!schema) {
    try {
      // A savepoint: a refusal must not abort the migration's transaction.
      await knex.transaction((trx) => trx.raw('create extension if not exists pg_trgm with schema hostplane'));
      schema = await trigramSchema(knex);
    } catch (err) {
      // eslint-disable-next-line no-console -- a migration gets no logger, and this must not pass unnoticed
      console.warn(`accounts: pg_trgm unavailable (${err.message}); user search runs without trigram indexes`);
      return;
    }
  }
  for (const [name, expression] of TRGM_INDEXES) {
    await knex.raw(
      `create index if not exists ${name} on hostplane.users using gin (${expression} ${quoteIdent(schema)}.gin_trgm_ops)`,
    );
  }
}

// The extension stays: other objects may use it by now, and it costs nothing unused.
export async function down(knex) {
  for (const [name] of TRGM_INDEXES) await knex.raw(`drop index if exists hostplane.${name}`);
  await knex.raw('drop index if exists hostplane.users_created_at_id_idx');
}
