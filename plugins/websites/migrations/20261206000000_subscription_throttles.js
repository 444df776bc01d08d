// A bandwidth throttle on a subscription's sites (the usage metering plugin's overage action
// "throttle"): every site of the subscription is served slower until it is lifted. Kept per
// subscription, so a site created meanwhile is throttled too.
export async function up(knex) {
  await knex.schema.createTable('subscription_throttles', (t) => {
    t.uuid('subscription_id').primary();
    t.integer('bytes_per_second').notNullable();
    t.integer('connections').notNullable();
    t.text('reason').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    'alter table subscription_throttles add constraint subscription_throttles_bounds check (bytes_per_second between 1024 and 1073741824 and connections between 1 and 10000)',
  );
}

export async function down(knex) {
  await knex.schema.dropTableIfExists('subscription_throttles');
}
