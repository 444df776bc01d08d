import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { migrateCore } from '../src/db/core-migrator.js';
import { openDatabase } from '../src/db/open-database.js';
import { openPluginDatabase } from '../src/db/plugin-database.js';

const dataDir = await mkdtemp(path.join(tmpdir(), 'hostplane-embedded-'));
t.teardown(() => rm(dataDir, { recursive: true, force: true }));

t.test('an embedded server keeps its data across close and reopen', async (t) => {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'message'] as const;
  const before = signals.map((s) => process.listenerCount(s));
  const first = await openDatabase({ dataDir });
  t.same(
    signals.map((s) => process.listenerCount(s)),
    before,
    'signal handling stays with the host',
  );
  t.equal(first.embedded, true);
  // The embedded superuser only bootstraps: the pool logs in as the owner role.
  t.match(first.url, /^postgres:\/\/hp_[0-9a-f]{10}_owner:[^@]+@127\.0\.0\.1:\d+\/hostplane$/);
  await first.knex.raw('create table kept (id bigserial primary key, at timestamptz not null default now())');
  await first.knex('kept').insert({});
  await first.close();
  await first.close(); // twice is harmless

  const second = await openDatabase({ dataDir });
  t.teardown(() => second.close());
  const rows = await second.knex('kept').select('*');
  t.equal(rows.length, 1);
  t.equal(rows[0].id, '1', 'bigint ids come back as strings');
  t.ok(rows[0].at instanceof Date, 'timestamptz comes back as a Date');
  const password = await stat(path.join(dataDir, 'postgres.password'));
  t.equal(password.mode & 0o077, 0, 'the password file is private');
});

t.test('a stale postmaster.pid left by a crash does not block the start', async (t) => {
  const lockFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  // A pid that is alive but is not PostgreSQL (pid reuse after a reboot); PostgreSQL alone
  // would refuse to start on it.
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => sleeper.kill());
  await writeFile(lockFile, `${sleeper.pid}\n${path.join(dataDir, 'postgres')}\n0\n5432\n\n127.0.0.1\n0 0\nready\n`);
  const db = await openDatabase({ dataDir });
  t.equal((await db.knex.raw('select 1 as one')).rows[0].one, 1);
  const pid = Number.parseInt((await readFile(lockFile, 'utf8')).split('\n')[0]!, 10);
  t.not(pid, sleeper.pid, 'the lock file is the new server');
  await db.close();

  await writeFile(lockFile, 'garbage');
  const again = await openDatabase({ dataDir });
  await again.close();
});

t.test('a data directory that is not a cluster is refused, not wiped', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hostplane-notpg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await import('node:fs/promises').then((fs) => fs.mkdir(path.join(dir, 'postgres')));
  await writeFile(path.join(dir, 'postgres', 'precious.txt'), 'keep me');
  await t.rejects(openDatabase({ dataDir: dir }), { code: 'DB_ERR_EMBEDDED_DIR_INVALID' });
  t.equal(await readFile(path.join(dir, 'postgres', 'precious.txt'), 'utf8'), 'keep me');
});

t.test('on the embedded server (PostgreSQL 18) the host is the owner role and a plugin gets its own', async (t) => {
  const db = await openDatabase({ dataDir });
  t.teardown(() => db.close());
  const { rows } = await db.knex.raw(`select rolsuper from pg_roles where rolname = current_user`);
  t.equal(rows[0].rolsuper, false, 'the pool is no superuser');
  await migrateCore(db.knex, 'latest');
  const plugin = await openPluginDatabase(
    { knex: db.knex, url: db.url },
    { pluginId: 'embedded-probe', capabilities: new Set(['db', 'users']), reads: [] },
  );
  t.teardown(() => plugin.close());
  await plugin.knex.raw('create table plugin_embedded_probe.t (id int)');
  t.equal((await plugin.knex.raw('select current_user as u')).rows[0].u, plugin.role);
  await t.rejects(plugin.knex.raw('select password_hash from hostplane.users'), { code: '42501' });
  await t.rejects(plugin.knex.raw('set role postgres'), { code: '42501' });
  const { rows: others } = await db.knex.raw(
    `select datname, has_database_privilege(?, datname, 'connect') as can from pg_database where datname <> current_database() and datallowconn`,
    [plugin.role],
  );
  t.ok(others.length > 0);
  t.ok(
    others.every((r: { can: boolean }) => !r.can),
    "the cluster is the host's own: no plugin role connects to its other databases",
  );
  const owned = await db.knex.raw(`select count(*)::int as n from plugin_embedded_probe.t`);
  t.equal(owned.rows[0].n, 0, 'the owner reaches what the plugin role owns');
});
