// Runs inside the plugin's own schema (plugin_backups). One row per backup (a restic snapshot
// of one site, once it succeeded) and per restore. The repository password is not here: it is
// a plugin secret (coreServices.secrets), sealed with the platform's key.
const UP = [
  `create table backups (
     id uuid primary key default gen_random_uuid(),
     website_id uuid not null,
     site_name text not null,
     owner_id uuid not null,
     subscription_id uuid not null,
     kind text not null default 'files' check (kind in ('files')),
     trigger text not null check (trigger in ('manual', 'schedule')),
     status text not null default 'queued'
       check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'forgotten')),
     snapshot_id text null,
     progress jsonb null,
     size_bytes bigint null,
     added_bytes bigint null,
     files integer null,
     duration_ms integer null,
     error text null,
     -- restic's pid while it runs (a stuck run is recognisable; never used to kill blindly).
     pid integer null,
     -- Owners of the site's files when it was backed up ({ uid, gid, userGid }): a restore maps
     -- them to the target site's (the same ones, or another site's user).
     file_owners jsonb null,
     attempts integer not null default 0,
     created_by uuid null,
     created_at timestamptz not null default now(),
     started_at timestamptz null,
     finished_at timestamptz null
   )`,
  `create index backups_owner_idx on backups (owner_id, created_at desc)`,
  `create index backups_website_idx on backups (website_id, created_at desc)`,
  `create table restores (
     id uuid primary key default gen_random_uuid(),
     backup_id uuid not null references backups (id),
     website_id uuid not null,
     owner_id uuid not null,
     path text null check (path is null or path <> ''),
     status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
     error text null,
     created_by uuid null,
     created_at timestamptz not null default now(),
     finished_at timestamptz null
   )`,
  `create index restores_backup_idx on restores (backup_id)`,
];

const DOWN = ['drop table if exists restores', 'drop table if exists backups'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
