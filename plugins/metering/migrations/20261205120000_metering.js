// Runs inside the plugin's own schema (plugin_metering). Measured usage per website: disk now
// and its history, traffic in hourly buckets with top paths per day, the log files already
// counted (so a rotated file is counted once however often it is offered), and the quota
// notices already sent (once per subscription, resource, period and level).
const UP = [
  `create table disk_usage (
     website_id uuid primary key,
     subscription_id uuid not null,
     bytes bigint not null check (bytes >= 0),
     files bigint not null check (files >= 0),
     truncated boolean not null default false,
     measured_at timestamptz not null
   )`,
  `create index disk_usage_subscription_idx on disk_usage (subscription_id)`,
  `create table disk_history (
     website_id uuid not null,
     measured_at timestamptz not null,
     bytes bigint not null,
     primary key (website_id, measured_at)
   )`,
  `create table traffic_hourly (
     website_id uuid not null,
     hour timestamptz not null,
     subscription_id uuid not null,
     requests bigint not null default 0,
     bytes_out bigint not null default 0,
     bytes_in bigint not null default 0,
     status_2xx bigint not null default 0,
     status_3xx bigint not null default 0,
     status_4xx bigint not null default 0,
     status_5xx bigint not null default 0,
     status_other bigint not null default 0,
     primary key (website_id, hour)
   )`,
  `create index traffic_hourly_subscription_idx on traffic_hourly (subscription_id, hour)`,
  `create table traffic_paths (
     website_id uuid not null,
     day date not null,
     path text not null check (length(path) <= 512),
     requests bigint not null,
     bytes_out bigint not null,
     primary key (website_id, day, path)
   )`,
  `create table counted_logs (
     file text primary key,
     website_id uuid not null,
     lines bigint not null,
     rejected bigint not null,
     counted_at timestamptz not null default now()
   )`,
  `create table quota_notices (
     subscription_id uuid not null,
     resource text not null,
     period text not null,
     level text not null check (level in ('warning', 'exceeded')),
     sent_at timestamptz not null default now(),
     primary key (subscription_id, resource, period, level)
   )`,
];

const DOWN = [
  'drop table if exists quota_notices',
  'drop table if exists counted_logs',
  'drop table if exists traffic_paths',
  'drop table if exists traffic_hourly',
  'drop table if exists disk_history',
  'drop table if exists disk_usage',
];

export async function up(knex) {
  for (const sql of UP) await knex.raw(sql);
}

export async function down(knex) {
  for (const sql of DOWN) await knex.raw(sql);
}
