/**
 * `coreServices.platformState` on a real database: pg_dump of the whole database with the
 * host's owner login (a valid custom archive, the bootstrap vault and excluded rows left out),
 * a pg_dump older than the server refused with a clear error, a plugin kept to its own tables,
 * and the state files copied (key file, drop-in plugins) or not (key in the environment).
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createTestDatabase } from '../src/testing/test-database.js';
import { openDatabase } from '../src/db/open-database.js';
import { migrateCore } from '../src/db/core-migrator.js';
import { clientVersionOf, createPlatformState, majorOf, platformStateFor } from '../src/platform-state.js';

const root = await mkdtemp(join(tmpdir(), 'hp-platform-state-'));
const testDb = await createTestDatabase();
const db = await openDatabase({ url: testDb.url, dataDir: root });
t.teardown(async () => {
  await db.close();
  await testDb.drop();
  await rm(root, { recursive: true, force: true });
});
await migrateCore(db.knex, 'latest');
await db.knex.raw('create schema plugin_demo');
await db.knex.raw('create table plugin_demo.kept (v text)');
await db.knex.raw('create table plugin_demo.left_out (v text)');
await db.knex.raw(`insert into plugin_demo.kept values ('kept-row'), ('second')`);
await db.knex.raw(`insert into plugin_demo.left_out values ('secret-row')`);

const collect = async (run: (out: PassThrough) => Promise<unknown>): Promise<Buffer> => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks);
};

t.test('versions are read from pg_dump and the server', async (t) => {
  t.equal(clientVersionOf('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n'), '15.20');
  t.equal(majorOf('15.20 (Debian 15.20-0+deb12u1)'), 15);
  t.equal(majorOf('9.6.24'), 9);
  t.equal(majorOf('18devel'), 18);
});

t.test('a dump of the whole database, as the owner, rows of a plugin table left out', async (t) => {
  const state = platformStateFor(
    createPlatformState({ knex: db.knex, url: db.url, secrets: undefined, dropInDirs: [] }),
    'plugin_demo',
  );
  const tool = await state.dumpTool();
  t.match(tool.binary, /pg_dump$/);
  t.equal(majorOf(tool.clientVersion)! >= majorOf(tool.serverVersion)!, true);
  const archive = await collect((out) => state.dumpDatabase(out, { excludeTableData: ['plugin_demo.left_out'] }));
  t.equal(archive.subarray(0, 5).toString(), 'PGDMP', 'a custom-format archive');
  const file = join(root, 'dump.pgdump');
  await writeFile(file, archive);
  const sql = execFileSync('pg_restore', ['--file=-', file], { encoding: 'utf8' });
  t.match(sql, /kept-row/);
  t.match(sql, /CREATE TABLE plugin_demo\.left_out/, 'the excluded table is still defined');
  t.notMatch(sql, /secret-row/, 'its rows are not in the dump');
  t.notMatch(sql, /hostplane_bootstrap/, 'the superuser-only vault is left out');
  t.match(sql, /hostplane\.secret_keys|CREATE TABLE hostplane\./, 'the core schema is in');
  await t.rejects(state.dumpDatabase(new PassThrough(), { excludeTableData: ['hostplane.users'] }), {
    code: 'PLATFORM_ERR_TABLE_NOT_OWN',
  });
});

t.test('a pg_dump older than the server is refused with both versions and the package to install', async (t) => {
  const stub = join(root, 'old-pg_dump');
  await writeFile(stub, '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n');
  await chmod(stub, 0o755);
  const state = createPlatformState({ knex: db.knex, url: db.url, secrets: undefined, dropInDirs: [], pgDump: stub });
  const server = (await db.knex.raw(`select current_setting('server_version') as v`)).rows[0].v as string;
  await t.rejects(state.dumpTool(), {
    code: 'PLATFORM_ERR_PG_DUMP_VERSION',
    statusCode: 409,
    message: new RegExp(`pg_dump 9\\.6\\.24, which cannot dump PostgreSQL .*postgresql-client-${majorOf(server)}`),
  });
  await t.rejects(state.dumpDatabase(new PassThrough()), { code: 'PLATFORM_ERR_PG_DUMP_VERSION' });
  const none = createPlatformState({
    knex: db.knex,
    url: db.url,
    secrets: undefined,
    dropInDirs: [],
    pgDump: join(root, 'nope'),
  });
  await t.rejects(none.dumpTool(), { code: 'PLATFORM_ERR_PG_DUMP_MISSING' });
});

t.test('state files: the key file and drop-in plugins; nothing of a key from the environment', async (t) => {
  const dataDir = join(root, 'data');
  await mkdir(join(dataDir, 'plugins', 'acme'), { recursive: true });
  await writeFile(join(dataDir, 'secret.key'), 'k'.repeat(44), { mode: 0o600 });
  await writeFile(join(dataDir, 'plugins', 'acme', 'package.json'), '{}');
  const fromFile = createPlatformState({
    knex: db.knex,
    url: db.url,
    secrets: { dataDir },
    dropInDirs: [join(dataDir, 'plugins')],
  });
  const into = join(root, 'copy-1');
  await mkdir(into);
  t.same(await fromFile.copyState(into), { names: ['secret.key', 'plugins'], keyOrigin: 'file' });
  t.same((await readdir(into)).sort(), ['plugins', 'secret.key']);
  const fromEnv = createPlatformState({
    knex: db.knex,
    url: db.url,
    secrets: { dataDir, key: 'x' },
    dropInDirs: [join(root, 'no-such-folder')],
  });
  const other = join(root, 'copy-2');
  await mkdir(other);
  t.same(await fromEnv.copyState(other), { names: [], keyOrigin: 'env' });
  t.same(await readdir(other), []);
});
