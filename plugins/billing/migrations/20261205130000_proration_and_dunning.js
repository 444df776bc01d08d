// Proration invoices and dunning (docs/decisions/0035).
// - `invoices.source_key`: what made a one-off invoice when it must be made once (a package
//   change's proration: `prorate:<event id>`); unique, so a repeated job inserts nothing.
// - `dunning_steps`: each step of an open invoice's dunning (a reminder, a payment retry, a
//   suspension, a termination), one row per invoice and step. A run claims a step by setting
//   `claimed_at` (a lease: a claim older than ten minutes is a crashed run's and is taken over)
//   and sets `done_at` when it is done, so a step is done once, and again only after a crash
//   (its gateway call then carries the same idempotency key).
const UP = [
  `alter table invoices add column source_key text null`,
  `create unique index invoices_source_key_idx on invoices (source_key) where source_key is not null`,
  `create table dunning_steps (
     invoice_id uuid not null references invoices (id),
     step text not null check (step ~ '^(reminder|retry|suspend|terminate):-{0,1}[0-9]{1,4}$'),
     outcome text null,
     created_at timestamptz not null default now(),
     claimed_at timestamptz null,
     done_at timestamptz null,
     primary key (invoice_id, step)
   )`,
];

const DOWN = [
  'drop table if exists dunning_steps',
  'drop index if exists invoices_source_key_idx',
  'alter table invoices drop column if exists source_key',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
