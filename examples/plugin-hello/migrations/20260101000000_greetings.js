// Runs inside the plugin's own schema (plugin_hello): unqualified names land there.
export async function up(knex) {
  await knex.schema.createTable('greetings', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('text').notNullable();
    t.text('banner').nullable();
    t.uuid('created_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true }).nullable();
    t.index(['created_at']);
  });
}

export async function down(knex) {
  await knex.schema.dropTable('greetings');
}
