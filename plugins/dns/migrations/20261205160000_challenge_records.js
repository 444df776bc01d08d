// Runs inside the plugin's own schema (plugin_dns). ACME DNS-01 challenge records (the
// `dns-challenges` extension point) are ordinary TXT records of the zone with an expiry: the
// certificate plugin removes them when its order ends, and the sweep removes any whose expiry
// passed (an order that died with its process), so none stays forever.
const UP = [
  `alter table records add column expires_at timestamptz null`,
  `create index records_expiring_idx on records (expires_at) where expires_at is not null`,
];

const DOWN = ['drop index if exists records_expiring_idx', 'alter table records drop column if exists expires_at'];

export async function up(knex) {
  for (const statement of UP) await knex.raw(statement);
}

export async function down(knex) {
  for (const statement of DOWN) await knex.raw(statement);
}
