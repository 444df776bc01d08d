import { tmpdir } from 'node:os';
import type { Knex } from 'knex';
import t from 'tap';
import { coreMigrationStatus, migrateCore } from '../src/db/core-migrator.js';
import { openDatabase } from '../src/db/open-database.js';
import { useTestDatabase } from './helpers/database.js';

const CORE_TABLES = [
  'audit_log',
  'job_progress',
  'job_workers',
  'outbox',
  'plugin_allowances',
  'plugin_roles',
  'plugin_signers',
  'plugins',
  'rate_limit_counters',
  'schedule_ticks',
  'secret_keys',
  'settings',
  'subscription_usage',
  'user_grants',
  'user_tree',
  'users',
];
const BOOKKEEPING = ['core_migrations', 'core_migrations_lock'];

async function tablesIn(knex: Knex, schema: string): Promise<string[]> {
  const rows = await knex('information_schema.tables').where({ table_schema: schema }).orderBy('table_name').pluck('table_name');
  return rows as string[];
}

/** Every core migration, oldest first. */
const ALL_CORE = [
  '0001_core',
  '0002_user_grants',
  '0003_subscription_limits',
  '0004_user_tree',
  '0005_job_workers',
  '0006_secrets',
  '0007_plugin_signing',
  '0008_plugin_roles',
  '0009_users_search_indexes',
  '0010_mail_delivery',
  '0011_rate_limit_counters',
  '0012_add_plugin_jobs',
];

t.test('core migrations go up, down and up again', async (t) => {
  const { knex } = await useTestDatabase(t, { migrate: false });

  t.same(await coreMigrationStatus(knex), { applied: [], pending: ALL_CORE });
  const { rows } = await knex.raw(`select to_regnamespace('hostplane') as ns`);
  t.equal(rows[0].ns, null, 'status alone creates nothing');

  t.same(await migrateCore(knex, 'latest'), ALL_CORE);
  t.same(await coreMigrationStatus(knex), { applied: ALL_CORE, pending: [] });
  t.same(await tablesIn(knex, 'hostplane'), [...CORE_TABLES, ...BOOKKEEPING].sort());
  t.same(await migrateCore(knex, 'latest'), [], 'nothing left to run');

  t.same(await migrateCore(knex, 'down'), ['0012_add_plugin_jobs'], 'down undoes the newest only');
  t.same(await migrateCore(knex, 'down'), ['0011_rate_limit_counters']);
  t.same(await coreMigrationStatus(knex), { applied: ALL_CORE.slice(0, -2), pending: ALL_CORE.slice(-2) });
  t.same(await migrateCore(knex, 'down'), ['0010_mail_delivery']);
  t.same(await migrateCore(knex, 'down'), ['0009_users_search_indexes']);
  t.same(await migrateCore(knex, 'down'), ['0008_plugin_roles']);
  t.same(await migrateCore(knex, 'down'), ['0007_plugin_signing']);
  t.same(await migrateCore(knex, 'down'), ['0006_secrets']);
  t.same(await migrateCore(knex, 'down'), ['0005_job_workers']);
  t.same(await migrateCore(knex, 'down'), ['0004_user_tree']);
  t.same(await migrateCore(knex, 'down'), ['0003_subscription_limits']);
  t.same(await migrateCore(knex, 'down'), ['0002_user_grants']);
  t.same(await migrateCore(knex, 'down'), ['0001_core']);
  t.same(await tablesIn(knex, 'hostplane'), BOOKKEEPING, 'only the bookkeeping is left');
  t.same(await coreMigrationStatus(knex), { applied: [], pending: ALL_CORE });

  t.same(await migrateCore(knex, 'up'), ['0001_core'], 'up runs the next one');
  t.same(await migrateCore(knex, 'up'), ['0002_user_grants']);
  t.same(await migrateCore(knex, 'up'), ['0003_subscription_limits']);
  t.same(await migrateCore(knex, 'up'), ['0004_user_tree']);
  t.same(await migrateCore(knex, 'up'), ['0005_job_workers']);
  t.same(await migrateCore(knex, 'up'), ['0006_secrets']);
  t.same(await migrateCore(knex, 'up'), ['0007_plugin_signing']);
  t.same(await migrateCore(knex, 'up'), ['0008_plugin_roles']);
  t.same(await migrateCore(knex, 'up'), ['0009_users_search_indexes']);
  t.same(await migrateCore(knex, 'up'), ['0010_mail_delivery']);
  t.same(await migrateCore(knex, 'up'), ['0011_rate_limit_counters']);
  t.same(await migrateCore(knex, 'up'), ['0012_add_plugin_jobs']);
  t.same(await tablesIn(knex, 'hostplane'), [...CORE_TABLES, ...BOOKKEEPING].sort());

  t.same(await migrateCore(knex, 'rollback-all'), [...ALL_CORE].reverse());
  t.same(await migrateCore(knex, 'down'), [], 'down with nothing applied does nothing');
});

t.test('an unknown action is refused', async (t) => {
  const { knex } = await useTestDatabase(t, { migrate: false });
  await t.rejects(migrateCore(knex, 'sideways' as never), { code: 'DB_ERR_MIGRATION_ACTION_INVALID' });
});

t.test('two hosts migrating one database at once both succeed, and it runs once', async (t) => {
  const { url } = await useTestDatabase(t, { migrate: false });
  const other = await openDatabase({ url, dataDir: tmpdir(), poolMax: 2 });
  t.teardown(() => other.close());
  const mine = await openDatabase({ url, dataDir: tmpdir(), poolMax: 2 });
  t.teardown(() => mine.close());
  const results = await Promise.all([migrateCore(mine.knex, 'latest'), migrateCore(other.knex, 'latest')]);
  t.same(results.flat(), ALL_CORE);
  t.same((await coreMigrationStatus(mine.knex)).applied, ALL_CORE);
});

t.test('the core schema enforces its rules', async (t) => {
  const { knex } = await useTestDatabase(t);
  const [admin] = await knex('hostplane.users').insert({ email: 'root@example.com', role: 'super_admin' }).returning('*');
  t.match(admin.id, /^[0-9a-f-]{36}$/, 'uuid ids by default');
  t.equal(admin.status, 'active');

  await t.rejects(knex('hostplane.users').insert({ email: 'x@example.com', role: 'emperor' }), { code: '23514' });
  await t.rejects(knex('hostplane.users').insert({ email: 'y@example.com', role: 'super_admin', parent_id: admin.id }), {
    code: '23514',
    constraint: 'users_super_admin_no_parent',
  });
  await t.rejects(knex('hostplane.users').insert({ email: 'ROOT@example.com', role: 'reseller' }), {
    code: '23505',
    constraint: 'users_email_unique',
  });
  await knex('hostplane.users').where({ id: admin.id }).update({ deleted_at: knex.fn.now(), status: 'deleted' });
  await knex('hostplane.users').insert({ email: 'root@example.com', role: 'super_admin' });
  t.pass('a deleted user frees the address');

  await t.rejects(knex('hostplane.job_progress').insert({ job_id: 1, progress: 1.5 }), { code: '23514' });
  await t.rejects(knex('hostplane.plugins').insert({ id: 'p', version: '1.0.0', state: 'dancing' }), { code: '23514' });

  await knex('hostplane.settings').insert({ scope: 's', key: 'k', value: '1' });
  const before = await knex('hostplane.settings').first();
  await knex.raw('select pg_sleep(0.01)');
  await knex('hostplane.settings').update({ value: '2' });
  const after = await knex('hostplane.settings').first();
  t.ok(after.updated_at > before.updated_at, 'updated_at follows updates');
});

t.test('a held migration lock is reported, not waited on forever', async (t) => {
  const { knex } = await useTestDatabase(t, { migrate: false });
  await migrateCore(knex, 'latest');
  // As left by a process killed mid-migration.
  await knex('hostplane.core_migrations_lock').update({ is_locked: 1 });
  await t.rejects(migrateCore(knex, 'down'), { code: 'DB_ERR_MIGRATIONS_INVALID', message: /another process is migrating/ });
  t.same((await coreMigrationStatus(knex)).applied, ALL_CORE, 'nothing ran');
});
