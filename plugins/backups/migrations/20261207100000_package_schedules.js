// Per-package schedules (decision 0059): a scheduled backup records the window it belongs to, so
// each site is backed up once per window (daily or weekly) however often the scheduler looks, and
// by one process only (the unique index). A window whose backup was not started because the
// package's backup storage is used up is remembered too, so its event and mail go out once.
const UP = [
  `alter table backups add column window_start timestamptz null`,
  `create unique index backups_site_window on backups (website_id, window_start) where window_start is not null`,
  `create table schedule_skips (
     website_id uuid not null,
     window_start timestamptz not null,
     reason text not null check (reason in ('storage_full')),
     created_at timestamptz not null default now(),
     primary key (website_id, window_start)
   )`,
];

const DOWN = [
  'drop table if exists schedule_skips',
  'drop index if exists backups_site_window',
  'alter table backups drop column if exists window_start',
];

export async function up(knex) {
  for (const sql of UP) await knex.raw(sql);
}

export async function down(knex) {
  for (const sql of DOWN) await knex.raw(sql);
}
