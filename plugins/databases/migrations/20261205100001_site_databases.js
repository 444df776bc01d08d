// A database made for a website (its WordPress database) names the site, so asking again for
// the same site finds it instead of making a second one. No foreign key: websites are another
// plugin's table, and a database outlives a deleted site unless its owner deletes it too.
export async function up(knex) {
  await knex.raw('alter table databases add column site_id uuid null unique');
}

export async function down(knex) {
  await knex.raw('alter table databases drop column site_id');
}
