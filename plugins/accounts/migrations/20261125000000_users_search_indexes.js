// Made the search indexes on hostplane.users (created_at/id and trigram ones) until plugins got
// database roles of their own: the accounts role may not index a core table, so the core's
// migration 0009_users_search_indexes makes them now. Kept, empty, so installations that ran it
// keep a consistent migration history; its down leaves the indexes to the core.
export async function up() {}

export async function down() {}
