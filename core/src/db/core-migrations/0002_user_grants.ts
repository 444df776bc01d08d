/**
 * Technical users hold only what their customer grants them: one row per granted permission.
 * Also an index for walking the tenancy tree downwards.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.user_grants (
    user_id uuid not null references hostplane.users (id) on delete cascade,
    permission text not null,
    granted_at timestamptz not null default now(),
    primary key (user_id, permission)
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hostplane.user_grants');
}
