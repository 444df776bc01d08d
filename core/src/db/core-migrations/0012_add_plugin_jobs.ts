/**
 * `add_plugin_jobs(...)`: many jobs of one name in one statement (graphile-worker's `add_jobs`),
 * for `JobsService.enqueueMany`. Like `add_plugin_job` (0008_plugin_roles) it runs as the owner
 * (SECURITY DEFINER), knows the caller by `session_user`, and lets a plugin's role enqueue only
 * its own jobs. `p_specs` is a JSON array of `{ payload, key, runAt, priority }`; keys are unique
 * within one call (the caller folds repeats), as `add_jobs` may not touch one row twice.
 */
import type { Knex } from 'knex';

const SIGNATURE = 'hostplane.add_plugin_jobs(text, json, text, integer)';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create function hostplane.add_plugin_jobs(
       p_identifier text, p_specs json, p_queue_name text, p_max_attempts integer) returns integer
     language plpgsql security definer set search_path = pg_catalog as $$
   declare
     caller text;
     added integer;
   begin
     select plugin_id into caller from hostplane.plugin_roles where role_name = session_user;
     if caller is not null and not starts_with(p_identifier, caller || ':') then
       raise exception 'plugin "%" may enqueue only its own jobs, not "%"', caller, p_identifier
         using errcode = '42501';
     end if;
     select count(*)::integer into added from graphile_worker.add_jobs(array(
       select row(
           p_identifier, s -> 'payload', p_queue_name, (s ->> 'runAt')::timestamptz,
           p_max_attempts::smallint, s ->> 'key', (s ->> 'priority')::smallint, null::text[]
         )::graphile_worker.job_spec
       from json_array_elements(p_specs) s));
     return added;
   end $$`);
  await knex.raw(`revoke execute on function ${SIGNATURE} from public`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function if exists ${SIGNATURE}`);
}
