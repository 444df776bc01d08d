/**
 * Usage against limits per subscription. The row is the unit of atomicity: a reservation is one
 * conditional UPDATE, so concurrent creates serialize on it and can never overshoot.
 * `subscription_id` is not a foreign key: subscriptions belong to the accounts plugin's schema.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.subscription_usage (
    subscription_id uuid not null,
    resource text not null check (resource ~ '^[a-z][a-z0-9_]*$'),
    used bigint not null default 0 check (used >= 0),
    "limit" bigint null check ("limit" is null or "limit" >= 0),
    updated_at timestamptz not null default now(),
    primary key (subscription_id, resource)
  )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hostplane.subscription_usage');
}
