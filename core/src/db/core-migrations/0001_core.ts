/**
 * The core schema: users, plugins, settings, audit log, mail outbox, job progress and
 * schedule ticks. Plain SQL: partial indexes, expression indexes and checks read more clearly
 * than builder calls.
 */
import type { Knex } from 'knex';

const UP = [
  `create schema if not exists hostplane`,

  // Keeps updated_at honest for every writer, not only the kernel's own functions.
  `create function hostplane.touch_updated_at() returns trigger language plpgsql as $$
   begin
     new.updated_at := now();
     return new;
   end $$`,

  `create table hostplane.users (
     id uuid primary key default gen_random_uuid(),
     email text not null,
     name text not null default '',
     role text not null constraint users_role_check
       check (role in ('super_admin', 'reseller', 'customer', 'technical_user')),
     parent_id uuid null references hostplane.users (id),
     status text not null default 'active' constraint users_status_check
       check (status in ('active', 'suspended', 'deleted')),
     password_hash text null,
     email_verified_at timestamptz null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     deleted_at timestamptz null,
     constraint users_super_admin_no_parent check (role <> 'super_admin' or parent_id is null)
   )`,
  // A deleted user's address may be used again by a new account.
  `create unique index users_email_unique on hostplane.users (lower(email)) where deleted_at is null`,
  `create index users_parent_id_idx on hostplane.users (parent_id)`,
  `create trigger users_touch before update on hostplane.users
     for each row execute function hostplane.touch_updated_at()`,

  `create table hostplane.plugins (
     id text primary key,
     version text not null,
     enabled boolean not null default false,
     config jsonb not null default '{}',
     state text not null default 'discovered' constraint plugins_state_check
       check (state in ('discovered', 'installed', 'enabled', 'started', 'disabled', 'failed')),
     error jsonb null,
     installed_at timestamptz null,
     updated_at timestamptz not null default now()
   )`,
  `create trigger plugins_touch before update on hostplane.plugins
     for each row execute function hostplane.touch_updated_at()`,

  `create table hostplane.settings (
     scope text not null,
     key text not null,
     value jsonb not null,
     updated_at timestamptz not null default now(),
     primary key (scope, key)
   )`,
  `create trigger settings_touch before update on hostplane.settings
     for each row execute function hostplane.touch_updated_at()`,

  `create table hostplane.audit_log (
     id bigserial primary key,
     at timestamptz not null default now(),
     source text not null,
     actor_id uuid null,
     action text not null,
     target_type text null,
     target_id text null,
     details jsonb not null default '{}',
     ip text null,
     request_id text null
   )`,
  `create index audit_log_at_idx on hostplane.audit_log (at desc)`,
  `create index audit_log_actor_at_idx on hostplane.audit_log (actor_id, at desc)`,
  `create index audit_log_action_at_idx on hostplane.audit_log (action, at desc)`,

  `create table hostplane.outbox (
     id uuid primary key default gen_random_uuid(),
     source text not null,
     to_address text not null,
     subject text not null,
     text_body text not null,
     html_body text null,
     tag text null,
     created_at timestamptz not null default now()
   )`,
  `create index outbox_to_created_idx on hostplane.outbox (to_address, created_at desc)`,

  `create table hostplane.job_progress (
     job_id bigint primary key,
     progress real not null constraint job_progress_range check (progress between 0 and 1),
     message text null,
     updated_at timestamptz not null default now()
   )`,

  `create table hostplane.schedule_ticks (
     schedule text not null,
     tick timestamptz not null,
     job_id bigint null,
     created_at timestamptz not null default now(),
     primary key (schedule, tick)
   )`,
  // For pruning old ticks.
  `create index schedule_ticks_created_idx on hostplane.schedule_ticks (created_at)`,
];

// The schema itself stays: it holds the migration bookkeeping tables.
const DOWN = [
  `drop table if exists hostplane.schedule_ticks`,
  `drop table if exists hostplane.job_progress`,
  `drop table if exists hostplane.outbox`,
  `drop table if exists hostplane.audit_log`,
  `drop table if exists hostplane.settings`,
  `drop table if exists hostplane.plugins`,
  `drop table if exists hostplane.users`,
  `drop function if exists hostplane.touch_updated_at()`,
];

/** Create the core tables. */
export async function up(knex: Knex): Promise<void> {
  for (const statement of UP) await knex.raw(statement);
}

/** Drop the core tables. */
export async function down(knex: Knex): Promise<void> {
  for (const statement of DOWN) await knex.raw(statement);
}
