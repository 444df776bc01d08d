/**
 * The restore drill of docs/operations.md ("Rebuilding a lost server"), performed: a live
 * platform (a real kernel with its secret key in its data folder) with some data is backed up
 * with `hostplane backups platform`; the server is then "lost", and the commands of the drill,
 * read from docs/operations.md itself, rebuild it into an empty database and a new data folder
 * with plain restic and pg_restore; a kernel booted on the result has the data, the same secret
 * key, and opens the repository with the sealed password.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import knexFactory from 'knex';
import { Kernel, createLogger, createTestDatabase, openDatabase, type TestDatabase } from '@hostplane/core';
import accounts from '@hostplane/plugin-accounts';
import websites from '@hostplane/plugin-websites';
import backups from '../src/index.js';
import { eventually } from '../../websites/test/helpers.js';
import { RESTIC, stackMissing } from './stack.js';

const missing = stackMissing();
if (missing) {
  t.skip(`real restic + PostgreSQL: ${missing}`);
} else {
  const root = await mkdtemp(path.join(tmpdir(), 'hp-platform-drill-'));
  const repository = path.join(root, 'repository');
  const oldDir = path.join(root, 'old-data');
  const newDir = path.join(root, 'new-data');
  await mkdir(path.join(oldDir, 'plugins'), { recursive: true });
  // A drop-in folder with something in it: the rebuilt server gets it back.
  await writeFile(path.join(oldDir, 'plugins', 'README.txt'), 'drop-in plugins live here\n');
  await mkdir(newDir);
  const dbs: TestDatabase[] = [];
  const kernels: Kernel[] = [];
  t.teardown(async () => {
    for (const k of kernels) await k.stop().catch(() => undefined);
    for (const db of dbs) await db.drop();
    await rm(root, { recursive: true, force: true });
  });

  const logger = createLogger({ level: 'silent' });
  async function boot(url: string, dataDir: string): Promise<Kernel> {
    const database = await openDatabase({ url, dataDir });
    const kernel = await Kernel.boot({
      database,
      logger,
      inlinePlugins: [
        { definition: accounts, version: '0.1.0' },
        { definition: websites, version: '0.1.0' },
        { definition: backups, version: '0.1.0' },
      ],
      enable: ['accounts', 'websites', 'backups'],
      config: { backups: { repository, concurrency: 1, platform: { schedule: '17 3 * * *', keep: 2 } } },
      secrets: { dataDir },
      discovery: { dropInDirs: [path.join(dataDir, 'plugins')] },
      schedules: 'manual',
      taskThreads: 1,
    });
    kernels.push(kernel);
    return kernel;
  }
  const run = async (kernel: Kernel, name: string, args: string[] = []) => {
    let out = '';
    let err = '';
    const code = await kernel.runCommand('backups', name, args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  const oldDb = await createTestDatabase('hp_drill_old');
  dbs.push(oldDb);
  const live = await boot(oldDb.url, oldDir);
  const admin = await live.users.create({ email: `drill-admin-${Date.now()}@example.test`, role: 'super_admin' });
  const customer = await live.users.create({
    email: `drill-${Date.now()}@example.test`,
    name: 'Drill customer',
    role: 'customer',
    parentId: admin.id,
  });
  // The operator escrowed the repository password (key-export) when enabling the plugin.
  const escrow = await run(live, 'key-export');
  if (escrow.code !== 0) throw new Error(escrow.err);
  const password = /RESTIC_PASSWORD=(\S+)/.exec(escrow.out)![1]!;
  const oldKey = await readFile(path.join(oldDir, 'secret.key'), 'utf8');

  const sql = knexFactory({ client: 'pg', connection: oldDb.url, pool: { min: 0, max: 1 } });
  t.teardown(() => sql.destroy());

  /** Plain restic on the repository with the escrowed password; `input` as stdin. */
  const restic = (args: string[], input?: string) =>
    execFileSync(RESTIC, args, {
      env: { PATH: process.env.PATH, HOME: '/root', RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
      encoding: 'utf8',
      ...(input === undefined ? {} : { input }),
    });
  const halfDump = (tags: string) =>
    restic(['backup', '--stdin', '--stdin-filename', 'hostplane.pgdump', '--host', 'hostplane', '--tag', tags], 'PGDMP half');

  t.test('the admins’ schedule queues a platform backup', async (t) => {
    t.match(await live.scheduler.tick('backups:platform', new Date()), { enqueued: true });
    const row = await eventually(async () => {
      const r = await sql('plugin_backups.platform_backups').where({ trigger: 'schedule' }).first();
      return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
    }, 60_000);
    t.equal(row.status, 'succeeded', row.error ?? '');
  });

  t.test('a platform backup of the live server', async (t) => {
    const queued = await run(live, 'platform');
    t.equal(queued.code, 0);
    const id = /platform backup (\S+) queued/.exec(queued.out)![1]!;
    const row = await eventually(async () => {
      const r = await sql('plugin_backups.platform_backups').where({ id }).first();
      return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
    }, 60_000);
    t.equal(row.status, 'succeeded', row.error ?? '');
    t.same(row.state_files, ['secret.key', 'plugins']);
    t.equal(row.key_origin, 'file');
    t.match(row.server_version, /^\d+/);
    const listed = await run(live, 'platform', ['--list', '--json']);
    t.equal(JSON.parse(listed.out)[0].id, id);
    const snaps = JSON.parse(restic(['snapshots', '--json', '--tag', `platform:${id}`])) as Array<{ id: string; tags: string[] }>;
    t.same(snaps.map((s) => s.tags.find((tag) => tag.startsWith('kind:'))).sort(), ['kind:platform', 'kind:platform-database']);
    const files = snaps.find((s) => s.tags.includes('kind:platform'))!;
    t.ok(files.tags.includes(`database:${row.database_snapshot_id}`), 'the state files name their dump');
  });

  t.test('a run that died mid-dump: its half dump is forgotten by the retry, which succeeds', async (t) => {
    // What a host killed while feeding restic leaves: the row running, a snapshot of half a dump.
    const [row] = await sql('plugin_backups.platform_backups')
      .insert({ trigger: 'manual', status: 'running', attempts: 1 })
      .returning('id');
    halfDump(`kind:platform-database,platform:${row.id}`);
    await live.jobs.enqueue('backups:run-platform-backup', { platformBackupId: row.id });
    const done = await eventually(async () => {
      const r = await sql('plugin_backups.platform_backups').where({ id: row.id }).first();
      return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
    }, 60_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    const dumps = JSON.parse(restic(['snapshots', '--json', '--tag', `platform:${row.id},kind:platform-database`])) as Array<{
      id: string;
    }>;
    t.same(
      dumps.map((d) => d.id),
      [done.database_snapshot_id],
      'only the whole dump is left',
    );
    // And a half dump of another dead run, newer than every whole one: the drill must not pick it.
    halfDump(`kind:platform-database,platform:00000000-0000-4000-8000-00000000dead`);
  });

  t.test('past platform.keep (2) the oldest is forgotten, and the retention run frees its snapshots', async (t) => {
    // Marked by the job of the third, just after it succeeded.
    const oldest = await eventually(async () => {
      const r = await sql('plugin_backups.platform_backups').where({ trigger: 'schedule' }).first();
      return r.status === 'forgotten' ? r : undefined;
    }, 10_000);
    t.equal(oldest.status, 'forgotten', 'three succeeded: the oldest is marked');
    t.equal(JSON.parse(restic(['snapshots', '--json', '--tag', `platform:${oldest.id}`])).length, 2, 'until retention runs');
    t.match(await live.scheduler.tick('backups:retention', new Date()), { enqueued: true });
    // While a backup still holds the slot, retention throws and graphile retries it after 2.7,
    // 10 and 30 s: under CI's load the fourth attempt came after a 30 s wait. All five fit in 120 s.
    const left = await eventually(async () => {
      const n = JSON.parse(restic(['snapshots', '--json', '--tag', `platform:${oldest.id}`])).length as number;
      return n === 0 ? n : undefined;
    }, 120_000);
    t.equal(left, 0, 'both its snapshots are forgotten');
    const kept = await sql('plugin_backups.platform_backups').where({ status: 'succeeded' }).count({ n: '*' });
    t.equal(Number(kept[0]!.n), 2);
  });

  t.test('the server is lost; the drill of docs/operations.md rebuilds it', async (t) => {
    await live.stop();
    const newDb = await createTestDatabase('hp_drill_new');
    dbs.push(newDb);
    const doc = await readFile(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    const block = /<!-- platform-drill:start -->\s*```sh\n([\s\S]*?)```\s*<!-- platform-drill:end -->/.exec(doc);
    t.ok(block, 'docs/operations.md has the drill between its markers');
    const script = block![1]!;
    const output = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      env: {
        PATH: process.env.PATH,
        HOME: '/root',
        RESTIC_REPOSITORY: repository,
        RESTIC_PASSWORD: password,
        RESTIC_CACHE_DIR: path.join(root, 'cache'),
        HOSTPLANE_DATA_DIR: newDir,
        DATABASE_URL: newDb.url,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.match(output, /platform backup \S+ of/);
    t.equal(await readFile(path.join(newDir, 'secret.key'), 'utf8'), oldKey, 'the secret key is back');
    t.equal((await stat(path.join(newDir, 'secret.key'))).mode & 0o777, 0o600);
    t.equal(await readFile(path.join(newDir, 'plugins', 'README.txt'), 'utf8'), 'drop-in plugins live here\n');

    const rebuilt = await boot(newDb.url, newDir);
    t.equal((await rebuilt.users.get(customer.id))?.email, customer.email, 'the data is there');
    const states = Object.fromEntries(rebuilt.plugins().map((p) => [p.id, p.state]));
    t.equal(states.backups, 'started');
    const again = await run(rebuilt, 'key-export');
    t.match(again.out, `RESTIC_PASSWORD=${password}\n`, 'the sealed repository password opens with the restored key');
    const rows = await run(rebuilt, 'platform', ['--list', '--json']);
    t.same(JSON.parse(rows.out), [], 'the dump left out its own rows: nothing shows as running');
    await rebuilt.stop();
  });
}
