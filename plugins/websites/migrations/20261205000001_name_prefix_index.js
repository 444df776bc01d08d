// A new site's name is its domain's slug, or `slug-2`, `slug-3` … when taken: the create path
// reads the names that start with the slug (store.freeName). The unique index on name cannot
// serve a LIKE prefix under a non-C collation, so that read scanned every site; this one can.
export async function up(knex) {
  await knex.raw('create index websites_name_prefix_idx on websites (name text_pattern_ops)');
}

export async function down(knex) {
  await knex.raw('drop index if exists websites_name_prefix_idx');
}
