// A site's databases join its backup: one row per database per backup, each kept as its own
// restic snapshot of a dump streamed through `restic backup --stdin` and tagged with the same
// `backup:<id>` as the files. A snapshot counts only once its id is recorded here: restic
// keeps a `--stdin` snapshot of whatever it read when its feeder dies, so a dump cut short by
// a crash leaves a snapshot no row names, and the next attempt forgets it.
const UP = [
  `create table backup_databases (
     id uuid primary key default gen_random_uuid(),
     backup_id uuid not null references backups (id) on delete cascade,
     database_id uuid not null,
     name text not null,
     server text not null,
     engine text not null,
     format text null,
     status text not null default 'pending' check (status in ('pending', 'succeeded', 'skipped')),
     snapshot_id text null,
     size_bytes bigint null,
     added_bytes bigint null,
     error text null,
     unique (backup_id, database_id)
   )`,
  `alter table restores add column database_id uuid null`,
  `alter table restores add constraint restores_database_or_path check (database_id is null or path is null)`,
];

const DOWN = [
  'alter table restores drop constraint if exists restores_database_or_path',
  'alter table restores drop column if exists database_id',
  'drop table if exists backup_databases',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
