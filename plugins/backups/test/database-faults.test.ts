/**
 * Faults while a database is dumped or loaded, on a real managed MariaDB with a dump large
 * enough (≈ 30 MB, restic slowed by its own bandwidth limits) to be killed half way:
 * - `kill -9` of `restic backup --stdin` mid-dump, with a half dump another run left tagged
 *   with the same backup: the retry forgets that stray snapshot and records one whole dump;
 * - `kill -9` of `mariadb-dump` mid-dump: restic keeps nothing of it, the retry succeeds;
 * - `kill -9` of the `mariadb` client mid-restore: the retry loads the whole dump again.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { eventually } from '../../websites/test/helpers.js';
import { contentOf, databaseStackMissing, fillOdd, startDatabaseStack } from './database-stack.js';

/** The pid of a live process whose program is `program` and whose arguments contain every one of `needles`. */
async function processWith(program: string, needles: string[]): Promise<number | undefined> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0] === program && needles.every((n) => args.some((a) => a.includes(n)))) return Number(entry);
  }
  return undefined;
}

const missing = databaseStackMissing();
if (missing) {
  t.skip(`real restic + nginx + mariadb + postgresql: ${missing}`);
} else {
  const stack = await startDatabaseStack(t, { concurrency: 1, limitUploadKiB: 2048, limitDownloadKiB: 4096 });
  const { trees, finished, restored } = stack;
  const alice = stack.caller(trees.customerA);
  const site = await stack.site('own');
  const db = await stack.siteDatabase(site, 'mariadb');
  /** The odd rows and a digest of the large table. */
  const state = () =>
    stack.asUser(db, async (q) => {
      const [big] = (await q('SELECT COUNT(*) AS n, MD5(GROUP_CONCAT(MD5(b) ORDER BY id)) AS h FROM big')) as Array<{
        n: number;
        h: string;
      }>;
      return `${await contentOf(q, 'mariadb')} ${big?.n} ${big?.h}`;
    });
  await stack.asUser(db, async (q) => {
    await fillOdd(q, 'mariadb');
    await q('CREATE TABLE big (id INT PRIMARY KEY, b LONGBLOB NOT NULL)');
    for (let i = 0; i < 16; i += 1) await q('INSERT INTO big VALUES (?, ?)', [i, randomBytes(1024 * 1024)]);
  });
  const original = await state();
  const dbSnapshots = async (backupId: string) =>
    JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${backupId},kind:database`])) as Array<{ id: string }>;
  let good = '';

  t.test('kill -9 of restic mid-dump: the retry records one whole dump; a half dump of a dead run is forgotten', async (t) => {
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    const pid = await eventually(() => processWith('/usr/bin/restic', ['--stdin', `backup:${res.body.id}`]), 60_000, 20);
    // A second backup waits for the only slot meanwhile. What a host that died while it fed
    // restic would have left for it: restic saw an end of input and kept half a dump.
    const next = await alice.post('/v1/backups', { websiteId: site.id });
    execFileSync(
      '/usr/bin/restic',
      [
        'backup',
        '--stdin',
        '--stdin-filename',
        `mariadb-${db.database}.sql`,
        '--host',
        'hostplane',
        '--tag',
        `backup:${next.body.id},kind:database,database:${db.databaseId}`,
      ],
      {
        input: '-- half a dump\nCREATE TABLE',
        env: {
          PATH: process.env.PATH,
          HOME: '/root',
          RESTIC_REPOSITORY: stack.repository,
          RESTIC_PASSWORD: await stack.password(),
          RESTIC_CACHE_DIR: `${stack.root}/test-cache`,
        },
      },
    );
    const [stray] = await dbSnapshots(next.body.id);
    t.ok(stray, 'the half dump is listed for now');
    t.equal((await alice.get(`/v1/backups/${next.body.id}`)).body.status, 'queued', 'the second waits its turn');
    process.kill(pid, 'SIGKILL');
    for (const id of [res.body.id, next.body.id]) {
      const done = await finished(alice, id, 150_000);
      t.equal(done.status, 'succeeded', done.error ?? '');
      t.same(
        (await dbSnapshots(id)).map((s) => s.id),
        [done.databases[0].snapshotId],
        'only the recorded dump is listed',
      );
      const dump = await stack.restic(['dump', done.databases[0].snapshotId, `/mariadb-${db.database}.sql`]);
      t.equal(Buffer.byteLength(dump), done.databases[0].sizeBytes);
      t.match(dump.trimEnd().split('\n').pop(), /^-- Dump completed/, 'the dump is whole');
      good = done.id;
    }
    const row = await stack.sql('plugin_backups.backups').where({ id: res.body.id }).first();
    t.equal(row.attempts, 2, 'the killed run was retried');
  });

  t.test('kill -9 of mariadb-dump mid-dump: restic keeps nothing of it, the retry succeeds', async (t) => {
    // New data: an unchanged dump is deduplicated and read in no time.
    await stack.asUser(db, async (q) => {
      for (let i = 16; i < 32; i += 1) await q('INSERT INTO big VALUES (?, ?)', [i, randomBytes(1024 * 1024)]);
    });
    const res = await alice.post('/v1/backups', { websiteId: site.id });
    const pid = await eventually(() => processWith('/usr/bin/mariadb-dump', [db.database]), 60_000, 20);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, 'SIGKILL');
    const done = await finished(alice, res.body.id, 180_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    t.same(
      (await dbSnapshots(res.body.id)).map((s) => s.id),
      [done.databases[0].snapshotId],
      'no snapshot of the cut dump',
    );
    t.equal((await stack.restic(['list', 'locks', '--no-lock'])).trim(), '', 'no lock left');
  });

  t.test('kill -9 of the mariadb client mid-restore: the retry loads the whole dump', async (t) => {
    await stack.asUser(db, async (q) => {
      await q('DELETE FROM big WHERE id > 3');
      await q('DROP VIEW odd_ids');
    });
    t.not(await state(), original);
    const res = await alice.post(`/v1/backups/${good}/restore`, { databaseId: db.databaseId });
    t.equal(res.status, 202, JSON.stringify(res.body));
    const pid = await eventually(() => processWith('/usr/bin/mariadb', [`--database=${db.database}`]), 60_000, 20);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(pid, 'SIGKILL');
    const done = await restored(alice, res.body.id, 180_000);
    t.equal(done.status, 'succeeded', done.error ?? '');
    t.equal(await state(), original, 'every row and view as backed up');
    t.match(await stack.restic(['check']), /no errors were found/);
  });
}
