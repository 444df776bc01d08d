// The tenancy rule (core services/tenancy.ts) walks the users tree downwards, one parent_id
// lookup per user found. With the child's id in the index those lookups are index-only, no heap
// visit per customer: a reseller's subtree of 2,000 customers among 100,000 users went from
// ~100 ms to ~3 ms (cold; bench/users-search.ts). Added here, beside the search indexes, because
// the user lists this plugin serves are what walk it most; core's users_parent_id_idx stays.
export async function up(knex) {
  await knex.raw('create index if not exists users_parent_id_id_idx on hostplane.users (parent_id, id)');
}

export async function down(knex) {
  await knex.raw('drop index if exists hostplane.users_parent_id_id_idx');
}
