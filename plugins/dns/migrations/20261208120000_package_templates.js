// Runs inside the plugin's own schema (plugin_dns). A package's zone template (decision 0070):
// records with placeholders, as the records API takes them, checked by the plugin before they
// are stored. Keyed by the accounts plugin's package id without a foreign key (a plugin's role
// reads another's shared tables, it does not reference them); the sweep drops the template of a
// package that no longer exists.
const UP = [
  `create table package_templates (
     package_id uuid primary key,
     records jsonb not null check (jsonb_typeof(records) = 'array'),
     updated_at timestamptz not null default now()
   )`,
];

const DOWN = ['drop table if exists package_templates'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
