// Accounts an administrator has told to choose a new password (POST
// /v1/users/:id/force-password-reset). While a row exists, the right password no longer signs
// in; a successful reset or change deletes it.
export async function up(knex) {
  await knex.raw(`create table password_reset_required (
     user_id uuid primary key references hostplane.users (id) on delete cascade,
     required_at timestamptz not null default now(),
     required_by uuid null references hostplane.users (id) on delete set null
   )`);
}

export async function down(knex) {
  await knex.raw('drop table if exists password_reset_required');
}
