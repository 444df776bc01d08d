// The `backup_storage_mb` limit (the backups plugin's storage quota per subscription). A limit
// missing from a new package's input is 0 (nothing), but packages made before the limit existed
// backed up without a storage cap: they keep that (null, unlimited) until someone sets one.
// Their subscriptions' limit lines come with the next package change; until then the backups
// plugin's measurement creates them unlimited (limits.record).
export async function up(knex) {
  await knex.raw(
    `update packages set limits = limits || '{"backup_storage_mb": null}'::jsonb where not jsonb_exists(limits, 'backup_storage_mb')`,
  );
}

export async function down(knex) {
  await knex.raw(`update packages set limits = limits - 'backup_storage_mb'`);
}
