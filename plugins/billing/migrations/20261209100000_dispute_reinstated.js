// A decided dispute may be decided again (pre-arbitration, an appeal): a lost one won after all
// gives its reversed money back to the invoice (docs/decisions/0078). `reinstated_at` later than
// `reversed_at` says the reversal is undone; `reinstated_amount` what came back, of which what the
// invoice no longer owed became the customer's credit.
const UP = [
  `alter table disputes add column reinstated_amount bigint not null default 0 check (reinstated_amount >= 0)`,
  `alter table disputes add column reinstated_at timestamptz null`,
];

const DOWN = [
  'alter table disputes drop column if exists reinstated_at',
  'alter table disputes drop column if exists reinstated_amount',
];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
