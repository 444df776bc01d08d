// Resellers' own backup targets (decision 0077): one S3 or SFTP target per reseller, used for
// the backups of the sites in its tree. Non-secret settings here; the S3 secret, the SSH key and
// the repository password are plugin secrets named by the target's id. Each backup records the
// target it went to (null: the platform's), so its restores, retention and storage read there.
// A removed target keeps its row (`removed_at`) while backups made there exist: they stay
// restorable, retained and checked; new backups go to the platform's.
const UP = [
  `create table targets (
     id uuid primary key default gen_random_uuid(),
     owner_id uuid not null unique,
     kind text not null check (kind in ('s3', 'sftp')),
     settings jsonb not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     removed_at timestamptz null
   )`,
  `alter table backups add column target_id uuid null references targets (id)`,
  `create index backups_target_idx on backups (target_id) where target_id is not null`,
];

const DOWN = ['alter table backups drop column if exists target_id', 'drop table if exists targets'];

export async function up(knex) {
  for (const sql of UP) await knex.raw(sql);
}

export async function down(knex) {
  for (const sql of DOWN) await knex.raw(sql);
}
