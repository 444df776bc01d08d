/**
 * What plugins' own database roles need from the core schema (docs/decisions, "Database least
 * privilege"):
 * - `plugin_roles`: which role is which plugin's, with its password. Only the owner reads it.
 * - `stamp_plugin_source()`: an audit entry or a mail a plugin's role inserts (inside its own
 *   transaction) carries that plugin's id as `source`, whatever the row said: no forged entries.
 * - `add_plugin_job(...)`: enqueue inside a plugin's transaction without any right on
 *   graphile_worker; a plugin's role may only enqueue its own jobs (`<id>:…`).
 * Both functions run as the owner (SECURITY DEFINER) and know the caller by `session_user`,
 * which only a superuser could change. Functions are no longer executable by PUBLIC by default.
 */
import type { Knex } from 'knex';

const UP = [
  `create table hostplane.plugin_roles (
     plugin_id text primary key,
     role_name text not null unique,
     password text not null,
     created_at timestamptz not null default now()
   )`,
  `revoke all on hostplane.plugin_roles from public`,
  `alter default privileges revoke execute on functions from public`,

  `create function hostplane.stamp_plugin_source() returns trigger
     language plpgsql security definer set search_path = pg_catalog as $$
   declare
     caller text;
   begin
     select plugin_id into caller from hostplane.plugin_roles where role_name = session_user;
     if caller is not null then
       new.source := caller;
     end if;
     return new;
   end $$`,
  `revoke execute on function hostplane.stamp_plugin_source() from public`,
  `create trigger audit_log_stamp_source before insert on hostplane.audit_log
     for each row execute function hostplane.stamp_plugin_source()`,
  `create trigger outbox_stamp_source before insert on hostplane.outbox
     for each row execute function hostplane.stamp_plugin_source()`,

  `create function hostplane.add_plugin_job(
       p_identifier text, p_payload json, p_queue_name text, p_run_at timestamptz,
       p_max_attempts integer, p_job_key text, p_priority integer) returns text
     language plpgsql security definer set search_path = pg_catalog as $$
   declare
     caller text;
     job_id text;
   begin
     select plugin_id into caller from hostplane.plugin_roles where role_name = session_user;
     if caller is not null and not starts_with(p_identifier, caller || ':') then
       raise exception 'plugin "%" may enqueue only its own jobs, not "%"', caller, p_identifier
         using errcode = '42501';
     end if;
     select j.id::text into job_id from graphile_worker.add_job(
       identifier => p_identifier, payload => p_payload, queue_name => p_queue_name, run_at => p_run_at,
       max_attempts => p_max_attempts, job_key => p_job_key, priority => p_priority) j;
     return job_id;
   end $$`,
  `revoke execute on function hostplane.add_plugin_job(text, json, text, timestamptz, integer, text, integer) from public`,
];

const DOWN = [
  `drop function if exists hostplane.add_plugin_job(text, json, text, timestamptz, integer, text, integer)`,
  `drop trigger if exists outbox_stamp_source on hostplane.outbox`,
  `drop trigger if exists audit_log_stamp_source on hostplane.audit_log`,
  `drop function if exists hostplane.stamp_plugin_source()`,
  `alter default privileges grant execute on functions to public`,
  `drop table if exists hostplane.plugin_roles`,
];

export async function up(knex: Knex): Promise<void> {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex: Knex): Promise<void> {
  for (const statement of DOWN) await knex.raw(statement);
}
