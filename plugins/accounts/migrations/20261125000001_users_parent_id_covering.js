// Made users_parent_id_id_idx on hostplane.users (the tenancy walk, index-only) until plugins got
// database roles of their own: the core's migration 0009_users_search_indexes makes it now, as the
// accounts role may not index a core table. Kept, empty, for the migration history.
export async function up() {}

export async function down() {}
