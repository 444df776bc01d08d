// Runs inside the plugin's own schema (plugin_billing). Credit notes as documents
// (docs/decisions/0065): each note's issue date (the platform clock's day, like its number's
// year), its PDF stored once (every download the same bytes), and the claim that its mail was
// queued, kept beside the note because credit notes themselves never change (a trigger).
const UP = [
  `alter table credit_notes add column issue_date date null`,
  // Notes made before this migration: their creation day. The immutability trigger is lifted
  // for this one backfill only, inside the migration's transaction.
  `alter table credit_notes disable trigger credit_notes_immutable`,
  `update credit_notes set issue_date = created_at::date where issue_date is null`,
  `alter table credit_notes enable trigger credit_notes_immutable`,
  `alter table credit_notes alter column issue_date set not null`,
  `create table credit_note_documents (
     credit_note_id uuid primary key references credit_notes (id),
     pdf bytea not null,
     created_at timestamptz not null default now()
   )`,
  `create table credit_note_mails (
     credit_note_id uuid primary key references credit_notes (id),
     mailed_at timestamptz not null default now()
   )`,
];

const DOWN = [
  'drop table if exists credit_note_mails',
  'drop table if exists credit_note_documents',
  'alter table credit_notes drop column if exists issue_date',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
