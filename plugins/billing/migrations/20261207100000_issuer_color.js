// An issuer's accent colour: its mails (and invoices' headings) in the seller's own colour.
// Null: the platform's default.
export async function up(knex) {
  await knex.raw(`alter table issuers add column color text null check (color ~ '^#[0-9a-f]{6}$')`);
}

export async function down(knex) {
  await knex.raw('alter table issuers drop column if exists color');
}
