// Disk a subscription uses beyond its sites' files, per kind, as other plugins report it through
// the `disk-usage` extension point (databases' sizes): counted in disk_mb with the sites'. Kept
// here so a quota check on an upload reads one table, and so a kind that no longer reports a
// subscription (its last database deleted) drops out of its total at the next measurement.
export async function up(knex) {
  await knex.raw(`create table disk_other (
     subscription_id uuid not null,
     kind text not null check (kind ~ '^[a-z][a-z0-9-]{0,39}$'),
     bytes bigint not null check (bytes >= 0),
     measured_at timestamptz not null,
     primary key (subscription_id, kind)
   )`);
}

export async function down(knex) {
  await knex.raw('drop table if exists disk_other');
}
