// Runs inside the plugin's own schema (plugin_uptime). A check is one address of a website
// fetched on a schedule; `next_check_at` is the dispatcher's state, kept here so a restarted
// host goes on where the last one stopped. Figures are kept per day (one row per check and
// day, not one per check: a 1-minute check makes 1,440 a day) and state changes as incidents.
const UP = [
  `create table checks (
     id uuid primary key default gen_random_uuid(),
     website_id uuid not null,
     owner_id uuid not null,
     domain text not null,
     protocol text not null check (protocol in ('http', 'https')),
     path text not null check (length(path) between 1 and 1024),
     keyword text null check (length(keyword) between 1 and 200),
     interval_minutes integer not null check (interval_minutes in (1, 5, 15, 30, 60)),
     enabled boolean not null default true,
     state text not null default 'unknown' check (state in ('unknown', 'up', 'down')),
     state_since timestamptz null,
     failures integer not null default 0,
     -- When the current run of failed checks began (null while up): an outage starts there.
     failing_since timestamptz null,
     next_check_at timestamptz not null default now(),
     last_checked_at timestamptz null,
     last_status_code integer null,
     last_response_ms integer null,
     last_error text null,
     created_by uuid null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     unique (website_id, protocol, path)
   )`,
  `create index checks_owner_idx on checks (owner_id, created_at)`,
  `create index checks_due_idx on checks (next_check_at) where enabled`,
  `create table daily (
     check_id uuid not null references checks (id) on delete cascade,
     day date not null,
     checks integer not null default 0,
     failures integer not null default 0,
     -- When the current run of failed checks began (null while up): an outage starts there.
     failing_since timestamptz null,
     response_ms_total bigint not null default 0,
     primary key (check_id, day)
   )`,
  `create table incidents (
     id bigint generated always as identity primary key,
     check_id uuid not null references checks (id) on delete cascade,
     started_at timestamptz not null,
     ended_at timestamptz null,
     reason text not null
   )`,
  `create index incidents_check_idx on incidents (check_id, started_at desc)`,
  `create unique index incidents_open_idx on incidents (check_id) where ended_at is null`,
];

const DOWN = ['drop table if exists incidents', 'drop table if exists daily', 'drop table if exists checks'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
