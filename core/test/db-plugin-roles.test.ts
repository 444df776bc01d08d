// Database least privilege: the host runs as a non-superuser owner role, and each plugin's own
// login role reaches its own schema and exactly what its declared capabilities and other
// plugins' shares give it, however it tries to get more.
import type { Knex } from 'knex';
import t, { type Test } from 'tap';
import { JobEngine } from '../src/jobs/index.js';
import { migratePlugin } from '../src/db/plugin-migrator.js';
import { openPluginDatabase, type PluginDatabaseHandle } from '../src/db/plugin-database.js';
import { pluginRoleName } from '../src/db/roles/role-names.js';
import { pino } from 'pino';
import type { Logger } from '@hostplane/sdk';
import { useTestDatabase } from './helpers/database.js';

const db = await useTestDatabase(t);
const logger = pino({ level: 'silent' }) as unknown as Logger;
// graphile's schema, as a booted kernel has it (enqueue inside a plugin's transaction).
const engine = new JobEngine({ connectionString: db.url, knex: db.knex, logger });
t.teardown(() => engine.stop());
await engine.migrate();

const betaMigrations = new URL('./fixtures/plugin-migrations/roles-beta/', import.meta.url);

async function open(
  t: Test,
  pluginId: string,
  capabilities: string[],
  reads: Array<{ pluginId: string; relation: string }> = [],
): Promise<PluginDatabaseHandle> {
  const handle = await openPluginDatabase(
    { knex: db.knex, url: db.url },
    { pluginId, capabilities: new Set(capabilities), reads },
  );
  t.teardown(() => handle.close());
  return handle;
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(knex: Knex | Knex.Transaction, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<string> {
  try {
    await knex.transaction((trx) => trx.raw(sql, bindings));
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const DENIED = '42501';

// beta: a plugin with a schema of its own, which shares `things` (its manifest would say so).
const beta = await open(t, 'roles-beta', ['db']);
await migratePlugin(beta.knex, { pluginId: 'roles-beta', directory: betaMigrations, action: 'latest' });
await db.knex.raw(
  `insert into hostplane.users (email, name, role, password_hash) values ('a@example.test', 'A', 'super_admin', 'hash')`,
);
await db.knex.raw(`insert into hostplane.plugins (id, version, config) values ('roles-beta', '1.0.0', '{"apiKey":"s3cret"}')`);

t.test('the host runs as the database owner, which is no superuser', async (t) => {
  const { rows } = await db.knex.raw(
    `select r.rolname, r.rolsuper, r.rolcreatedb, r.rolbypassrls, d.datdba = r.oid as owns_database
       from pg_roles r, pg_database d where r.rolname = current_user and d.datname = current_database()`,
  );
  t.match(rows[0], {
    rolname: /^hp_[0-9a-f]{10}_owner$/,
    rolsuper: false,
    rolcreatedb: false,
    rolbypassrls: false,
    owns_database: true,
  });
  const owners = await db.knex.raw(
    `select distinct pg_get_userbyid(nspowner) as owner from pg_namespace where nspname in ('hostplane', 'graphile_worker')`,
  );
  t.same(owners.rows, [{ owner: rows[0].rolname }], "the core schemas are the owner role's");
});

t.test("a plugin's role owns its schema, belongs to no role and cannot become another", async (t) => {
  const alpha = await open(t, 'roles-alpha', ['db']);
  const { rows } = await alpha.knex.raw(
    `select current_user as me, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolconnlimit,
            (select count(*)::int from pg_auth_members m where m.member = r.oid) as memberships,
            (select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'plugin_roles_alpha') as schema_owner
       from pg_roles r where r.rolname = current_user`,
  );
  const me = rows[0];
  t.equal(me.me, pluginRoleName((await db.knex.raw('select current_database() as d')).rows[0].d, 'roles-alpha'));
  t.match(me, { rolsuper: false, rolinherit: false, rolcreaterole: false, rolcreatedb: false, memberships: 0 });
  t.equal(me.schema_owner, me.me);
  const owner = (await db.knex.raw('select current_user as u')).rows[0].u;
  t.equal(await outcome(alpha.knex, `set role ${owner}`), DENIED, 'SET ROLE to the owner');
  t.equal(await outcome(alpha.knex, 'set role postgres'), DENIED, 'SET ROLE to the superuser');
  t.equal(await outcome(alpha.knex, `set session authorization ${owner}`), DENIED, 'SET SESSION AUTHORIZATION');
  t.equal(await outcome(alpha.knex, 'set session authorization postgres'), DENIED);
  await alpha.knex.transaction(async (trx) => {
    await trx.raw('reset role');
    await trx.raw('reset session authorization');
    t.equal((await trx.raw('select current_user as u')).rows[0].u, me.me, 'RESET leaves it itself');
  });
  t.equal(await outcome(alpha.knex, `grant ${owner} to current_user`), DENIED, 'it cannot grant itself a role');
});

t.test("a plugin's role reads no core table its capabilities do not name, and no secrets", async (t) => {
  const alpha = await open(t, 'roles-alpha', ['db']);
  for (const table of [
    'users',
    'plugins',
    'settings',
    'audit_log',
    'outbox',
    'plugin_roles',
    'user_grants',
    'subscription_usage',
  ]) {
    t.equal(await outcome(alpha.knex, `select * from hostplane.${table}`), DENIED, `hostplane.${table}`);
  }
  t.equal(await outcome(alpha.knex, 'select * from hostplane_bootstrap.role_passwords'), DENIED, "the owner's password");
  t.equal(await outcome(alpha.knex, 'select * from graphile_worker._private_jobs'), DENIED, 'the job queue');
  t.equal(await outcome(alpha.knex, `update hostplane.users set role = 'super_admin'`), DENIED);
  t.equal(await outcome(alpha.knex, 'select count(*) from hostplane.user_tree'), 'ok', 'the closure table, for tenancy');

  const withUsers = await open(t, 'roles-gamma', ['db', 'users']);
  t.equal(await outcome(withUsers.knex, 'select id, email, name, role, status from hostplane.users'), 'ok');
  t.equal(await outcome(withUsers.knex, 'select password_hash from hostplane.users'), DENIED, 'never the password hash');
  t.equal(await outcome(withUsers.knex, 'select * from hostplane.users'), DENIED);
  t.equal(await outcome(withUsers.knex, `update hostplane.users set role = 'super_admin'`), DENIED, 'nor the role');
  t.equal(await outcome(withUsers.knex, `update hostplane.users set parent_id = null`), DENIED, 'nor the tree');
  t.equal(await outcome(withUsers.knex, 'select * from hostplane.plugins'), DENIED, 'plugin configs stay closed');
});

t.test("a plugin's role reaches no other plugin's schema but what is shared with it", async (t) => {
  const alpha = await open(t, 'roles-alpha', ['db']);
  t.equal(await outcome(alpha.knex, 'select * from plugin_roles_beta.things'), DENIED);
  t.equal(await outcome(alpha.knex, `insert into plugin_roles_beta.things (name) values ('x')`), DENIED);
  t.equal(await outcome(alpha.knex, 'drop table plugin_roles_beta.things'), DENIED);
  t.equal(await outcome(alpha.knex, 'create table plugin_roles_beta.mine (id int)'), DENIED);

  const reader = await open(t, 'roles-alpha', ['db'], [{ pluginId: 'roles-beta', relation: 'things' }]);
  const { rows } = await reader.knex.raw('select name from plugin_roles_beta.things');
  t.same(rows, [{ name: 'shared row' }], 'a shared table reads');
  t.equal(await outcome(reader.knex, 'select * from plugin_roles_beta.secrets'), DENIED, 'the rest stays closed');
  t.equal(await outcome(reader.knex, `update plugin_roles_beta.things set name = 'x'`), DENIED, 'read-only');

  // Withdrawn on the next start without the read.
  const again = await open(t, 'roles-alpha', ['db']);
  t.equal(await outcome(again.knex, 'select * from plugin_roles_beta.things'), DENIED);
});

t.test("a plugin's role makes nothing outside its schema", async (t) => {
  const alpha = await open(t, 'roles-alpha', ['db']);
  t.equal(await outcome(alpha.knex, 'create table public.planted (id int)'), DENIED, 'nothing in public');
  t.equal(await outcome(alpha.knex, 'create schema planted'), DENIED, 'no schema');
  t.equal(await outcome(alpha.knex, 'create temporary table planted (id int)'), DENIED, 'no temporary table');
  t.equal(await outcome(alpha.knex, 'create table hostplane.planted (id int)'), DENIED, 'nothing in hostplane');
  t.equal(await outcome(alpha.knex, 'create table plugin_roles_alpha.own (id int)'), 'ok', 'its own schema is its own');
});

t.test("audit entries and jobs from a plugin's transaction carry that plugin, not what it claims", async (t) => {
  const alpha = await open(t, 'roles-alpha', ['db', 'audit', 'jobs']);
  await alpha.knex.transaction(async (trx) => {
    await trx.raw(`insert into hostplane.audit_log (source, action) values ('core', 'roles.forged.entry')`);
  });
  const { rows } = await db.knex.raw(`select source from hostplane.audit_log where action = 'roles.forged.entry'`);
  t.same(rows, [{ source: 'roles-alpha' }], 'the source is stamped from the role');
  t.equal(await outcome(alpha.knex, `delete from hostplane.audit_log`), DENIED, 'entries cannot be erased');
  t.equal(await outcome(alpha.knex, `select * from hostplane.audit_log`), DENIED, 'nor read without audit:read');

  await alpha.knex.transaction((trx) => engine.enqueue('roles-alpha:own-job', { n: 1 }, { trx }));
  const queued = await db.knex.raw(
    `select count(*)::int as n from graphile_worker._private_tasks where identifier = 'roles-alpha:own-job'`,
  );
  t.equal(queued.rows[0].n, 1, 'its own job is enqueued in its transaction');
  const foreign = await alpha.knex
    .transaction((trx) => engine.enqueue('roles-beta:other-job', {}, { trx }))
    .catch((error: { code?: string }) => error);
  t.equal((foreign as { code?: string }).code, DENIED, "another plugin's job is refused");
  t.equal(
    await outcome(alpha.knex, `select graphile_worker.add_job('roles-beta:other-job', '{}'::json)`),
    DENIED,
    'graphile itself is out of reach',
  );

  // A batch: the same rule, in one statement.
  const batch = [
    { payload: { n: 1 } },
    { payload: { n: 2 }, jobKey: 'roles-alpha:k' },
    { payload: { n: 3 }, jobKey: 'roles-alpha:k' },
  ];
  const added = await alpha.knex.transaction((trx) => engine.enqueueMany('roles-alpha:batch-job', batch, { trx }));
  t.same(added, { count: 2 }, 'a repeated key counts once');
  const batchRows = await db.knex.raw(
    `select j.payload, j.key from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'roles-alpha:batch-job' order by j.id`,
  );
  t.same(
    batchRows.rows,
    [
      { payload: { n: 1 }, key: null },
      { payload: { n: 3 }, key: 'roles-alpha:k' },
    ],
    'its own batch is enqueued in its transaction, the last of a key kept',
  );
  const foreignBatch = await alpha.knex
    .transaction((trx) => engine.enqueueMany('roles-beta:other-job', [{ payload: {} }], { trx }))
    .catch((error: { code?: string }) => error);
  t.equal((foreignBatch as { code?: string }).code, DENIED, "another plugin's batch is refused");
  const rolledBack = await alpha.knex
    .transaction(async (trx) => {
      await engine.enqueueMany('roles-alpha:undone-job', [{ payload: {} }, { payload: {} }], { trx });
      throw new Error('rolled back');
    })
    .catch((error: Error) => error.message);
  t.equal(rolledBack, 'rolled back');
  const undone = await db.knex.raw(
    `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'roles-alpha:undone-job'`,
  );
  t.equal(undone.rows[0].n, 0, 'a batch in a rolled-back transaction leaves no job');

  const noJobs = await open(t, 'roles-delta', ['db']);
  t.equal(
    await outcome(noJobs.knex, `select hostplane.add_plugin_job('roles-delta:x', '{}'::json, null, null, 1, null, null)`),
    DENIED,
    'no jobs capability, no enqueue',
  );
  t.equal(
    await outcome(noJobs.knex, `select hostplane.add_plugin_jobs('roles-delta:x', '[]'::json, null, 1)`),
    DENIED,
    'no jobs capability, no batch',
  );
});

t.test("a plugin's migrations run as its role and go up, down and up again", async (t) => {
  const epsilon = await open(t, 'roles-epsilon', ['db']);
  const directory = new URL('./fixtures/plugin-migrations/roles-beta/', import.meta.url);
  t.same(await migratePlugin(epsilon.knex, { pluginId: 'roles-epsilon', directory, action: 'latest' }), [
    '20260101000000_things',
  ]);
  const owner = await db.knex.raw(
    `select pg_get_userbyid(relowner) as owner from pg_class where oid = 'plugin_roles_epsilon.things'::regclass`,
  );
  t.equal(owner.rows[0].owner, epsilon.role);
  await migratePlugin(epsilon.knex, { pluginId: 'roles-epsilon', directory, action: 'rollback-all' });
  t.equal((await db.knex.raw(`select to_regclass('plugin_roles_epsilon.things') as r`)).rows[0].r, null);
  await migratePlugin(epsilon.knex, { pluginId: 'roles-epsilon', directory, action: 'latest' });
  t.equal((await epsilon.knex.raw('select count(*)::int as n from plugin_roles_epsilon.things')).rows[0].n, 1);
});

t.test("a schema made before roles existed passes to the plugin's role", async (t) => {
  // As the owner, as an installation from before plugin roles left it (re-owned from the superuser).
  await db.knex.raw('create schema plugin_roles_zeta');
  await db.knex.raw('create table plugin_roles_zeta.old (id serial primary key, v text)');
  await db.knex.raw(`create type plugin_roles_zeta.mood as enum ('ok')`);
  await db.knex.raw(`create type plugin_roles_zeta.pair as (a int, b int)`);
  const zeta = await open(t, 'roles-zeta', ['db']);
  const { rows } = await db.knex.raw(
    `select pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'plugin_roles_zeta' and c.relkind in ('r', 'S')`,
  );
  t.ok(rows.length >= 2);
  t.ok(
    rows.every((r: { owner: string }) => r.owner === zeta.role),
    "tables and their sequences are the plugin role's",
  );
  await zeta.knex.raw(`insert into plugin_roles_zeta.old (v) values ('x')`);
  const types = await db.knex.raw(
    `select distinct pg_get_userbyid(typowner) as owner from pg_type
      where typnamespace = 'plugin_roles_zeta'::regnamespace and typname in ('mood', 'pair')`,
  );
  t.same(types.rows, [{ owner: zeta.role }], 'an enum and a composite type too');
});

t.test('unchanged grants are not applied again; a shared table made anew is granted again', async (t) => {
  const reads = [{ pluginId: 'roles-beta', relation: 'things' }];
  await (await open(t, 'roles-digest', ['db'], reads)).close();
  const seen: string[] = [];
  const count = (q: { sql: string }) => void seen.push(q.sql);
  db.knex.on('query', count);
  const again = await open(t, 'roles-digest', ['db'], reads);
  db.knex.removeListener('query', count);
  t.notOk(
    seen.some((sql) => /^\s*(grant|revoke)\b/i.test(sql)),
    `nothing granted or revoked when nothing changed (${seen.length} statements)`,
  );
  t.equal(await outcome(again.knex, 'select * from plugin_roles_beta.things'), 'ok', 'the read still granted');
  await again.close();

  // The provider's migration drops and makes the shared table again: its grants went with it.
  await db.knex.raw('create table plugin_roles_beta.things_copy as table plugin_roles_beta.things');
  await db.knex.raw('drop table plugin_roles_beta.things');
  await db.knex.raw('alter table plugin_roles_beta.things_copy rename to things');
  const after = await open(t, 'roles-digest', ['db'], reads);
  t.equal(await outcome(after.knex, 'select * from plugin_roles_beta.things'), 'ok', 'granted again on the new table');
  const fewer = await open(t, 'roles-digest', ['db'], []);
  t.equal(await outcome(fewer.knex, 'select * from plugin_roles_beta.things'), DENIED, 'a read withdrawn is revoked');
});
