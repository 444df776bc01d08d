// Platform backups (decision 0073): the control plane's database (pg_dump through restic
// --stdin) and its state files (secret key, drop-in plugins), two snapshots per row. Admins only:
// no owner, no subscription, no package count. The rows are left out of the dump they describe
// (a restored platform would otherwise find its own backup "running").
const UP = [
  `create table platform_backups (
     id uuid primary key default gen_random_uuid(),
     trigger text not null check (trigger in ('manual', 'schedule')),
     status text not null default 'queued'
       check (status in ('queued', 'running', 'succeeded', 'failed', 'forgotten')),
     database_snapshot_id text null,
     files_snapshot_id text null,
     server_version text null,
     pg_dump_version text null,
     state_files text[] null,
     key_origin text null check (key_origin is null or key_origin in ('file', 'env', 'ephemeral')),
     size_bytes bigint null,
     added_bytes bigint null,
     duration_ms integer null,
     error text null,
     attempts integer not null default 0,
     created_by uuid null,
     created_at timestamptz not null default now(),
     started_at timestamptz null,
     finished_at timestamptz null
   )`,
  `create index platform_backups_created_idx on platform_backups (created_at desc)`,
];

const DOWN = ['drop table if exists platform_backups'];

export async function up(knex) {
  for (const sql of UP) await knex.raw(sql);
}

export async function down(knex) {
  for (const sql of DOWN) await knex.raw(sql);
}
