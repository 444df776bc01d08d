// One row per Adminer single sign-on (decision 0075): the one-time token's hash, who asked, and
// the temporary database user made for it. The token itself and the user's password are never
// stored here: the password lives only in the token file the Adminer launcher redeems once.
// The row outlives the token (the user is dropped when the Adminer session may have ended).
export async function up(knex) {
  await knex.raw(`create table adminer_logins (
     id uuid primary key default gen_random_uuid(),
     database_id uuid not null references databases (id) on delete cascade,
     requested_by uuid null references hostplane.users (id) on delete set null,
     server text not null,
     db_user text not null unique check (db_user ~ '^hpadminer_[a-z0-9]{20}$'),
     token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
     expires_at timestamptz not null,
     created_at timestamptz not null default now()
   )`);
  await knex.raw('create index adminer_logins_created_idx on adminer_logins (created_at)');
}

export async function down(knex) {
  await knex.raw('drop table if exists adminer_logins');
}
