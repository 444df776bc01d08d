// Runs inside the plugin's own schema (plugin_cron_jobs). One row per cron job of a website,
// with what its last run did. `next_run_at` is the scheduler's state: it lives here, so a
// restarted host picks up where the last one stopped (a run missed while no host ran happens
// once, not once per missed tick).
const UP = [
  `create table cron_jobs (
     id uuid primary key default gen_random_uuid(),
     website_id uuid not null,
     owner_id uuid not null,
     subscription_id uuid not null,
     schedule text not null check (length(schedule) between 1 and 200),
     command text not null check (length(command) between 1 and 4096),
     timeout_seconds integer not null check (timeout_seconds between 1 and 86400),
     enabled boolean not null default true,
     next_run_at timestamptz null,
     running_since timestamptz null,
     last_run_at timestamptz null,
     last_finished_at timestamptz null,
     last_status text null check (last_status in ('succeeded', 'failed', 'timed-out', 'refused')),
     last_exit_code integer null,
     last_output text null,
     last_output_truncated boolean not null default false,
     last_duration_ms integer null,
     runs integer not null default 0,
     created_by uuid null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,
  `create index cron_jobs_website_idx on cron_jobs (website_id)`,
  `create index cron_jobs_owner_idx on cron_jobs (owner_id)`,
  `create index cron_jobs_due_idx on cron_jobs (next_run_at) where enabled`,
];

const DOWN = ['drop table if exists cron_jobs'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
