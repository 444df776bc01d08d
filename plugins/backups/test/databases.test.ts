/**
 * A site's databases in its backup, for real: a managed MariaDB and a managed PostgreSQL, each
 * holding odd rows (Unicode, quotes, newlines, NUL and every byte value); the backup streams
 * their dumps through `restic backup --stdin` into snapshots tagged like the files; restoring one
 * database empties it and gives back exactly what was backed up, its user still able to work.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { contentOf, databaseStackMissing, fillOdd, startDatabaseStack } from './database-stack.js';

const missing = databaseStackMissing();
if (missing) {
  t.skip(`real restic + nginx + mariadb + postgresql: ${missing}`);
} else {
  const stack = await startDatabaseStack(t);
  const { trees, finished, restored } = stack;
  const alice = stack.caller(trees.customerA);
  const bob = stack.caller(trees.customerB);
  const sites = { mariadb: await stack.site('own'), postgresql: await stack.site('own') };
  const dbs = {
    mariadb: await stack.siteDatabase(sites.mariadb, 'mariadb'),
    postgresql: await stack.siteDatabase(sites.postgresql, 'postgresql'),
  };
  const original: Record<string, string> = {};
  const backupOf: Record<string, string> = {};

  for (const engine of ['mariadb', 'postgresql'] as const) {
    const db = dbs[engine];
    const site = sites[engine];

    t.test(`${engine}: the site's database is dumped into the backup, tagged with site, customer and kind`, async (t) => {
      original[engine] = await stack.asUser(db, async (q) => {
        await fillOdd(q, engine);
        return contentOf(q, engine);
      });
      const res = await alice.post('/v1/backups', { websiteId: site.id });
      t.equal(res.status, 202, JSON.stringify(res.body));
      const done = await finished(alice, res.body.id, 120_000);
      t.equal(done.status, 'succeeded', done.error ?? '');
      t.equal(done.databases.length, 1);
      const [part] = done.databases;
      t.match(part, { databaseId: db.databaseId, name: db.database, engine, status: 'succeeded', error: null });
      t.match(part.snapshotId, /^[0-9a-f]{64}$/);
      t.ok(part.sizeBytes > 500, `dump of ${part.sizeBytes} bytes`);
      t.ok(done.sizeBytes >= part.sizeBytes, 'the backup’s size counts the dump');
      backupOf[engine] = done.id;
      const snapshots = JSON.parse(await stack.restic(['snapshots', '--json', '--tag', `backup:${done.id}`]));
      t.equal(snapshots.length, 2, 'files and one database');
      const dbSnap = snapshots.find((s: { tags: string[] }) => s.tags.includes('kind:database'));
      t.equal(dbSnap.id, part.snapshotId);
      t.same(
        [...dbSnap.tags].sort(),
        [
          `backup:${done.id}`,
          `customer:${trees.customerA.id}`,
          `database:${db.databaseId}`,
          'kind:database',
          `site:${site.id}`,
        ].sort(),
      );
      // What an admin with the escrowed key gets from plain restic: the dump itself.
      const dump = await stack.restic(['dump', part.snapshotId, `/${engine}-${db.database}.sql`]);
      t.match(dump, /CREATE TABLE/);
      t.match(dump, /odd_ids/, 'the view too');
      t.equal(Buffer.byteLength(dump), part.sizeBytes, 'the dump as streamed, whole');
    });

    t.test(`${engine}: restoring the database gives back exactly what was backed up`, async (t) => {
      await stack.asUser(db, async (q) => {
        await q('DELETE FROM odd WHERE id > 2');
        await q("UPDATE odd SET txt = 'defaced' WHERE id = 1");
        await q('CREATE TABLE intruder (x INT)');
      });
      t.not(await stack.asUser(db, (q) => contentOf(q, engine)), original[engine], 'changed');
      const res = await alice.post(`/v1/backups/${backupOf[engine]}/restore`, { databaseId: db.databaseId });
      t.equal(res.status, 202, JSON.stringify(res.body));
      t.match(res.body, { databaseId: db.databaseId, path: null, websiteId: site.id });
      const done = await restored(alice, res.body.id, 120_000);
      t.equal(done.status, 'succeeded', done.error ?? '');
      t.equal(await stack.asUser(db, (q) => contentOf(q, engine)), original[engine], 'rows, tables and views as backed up');
      // The site's application keeps working on it: its user still owns / may change the table.
      await stack.asUser(db, async (q) => {
        await q(engine === 'mariadb' ? 'INSERT INTO odd VALUES (?, ?, ?)' : 'INSERT INTO odd VALUES ($1, $2, $3)', [
          99,
          'after',
          Buffer.from('x'),
        ]);
        await q('ALTER TABLE odd ADD COLUMN extra INT NULL');
      });
      t.pass('the user writes and alters its tables after the restore');
    });
  }

  t.test('a files restore leaves the databases alone; a database restore leaves the files alone', async (t) => {
    const db = dbs.mariadb;
    const before = await stack.asUser(db, (q) => contentOf(q, 'mariadb'));
    const res = await alice.post(`/v1/backups/${backupOf.mariadb}/restore`, {});
    t.equal((await restored(alice, res.body.id)).status, 'succeeded');
    t.equal(await stack.asUser(db, (q) => contentOf(q, 'mariadb')), before);
  });

  t.test('bad database restores are clear 4xx answers', async (t) => {
    const url = (engine: 'mariadb' | 'postgresql') => `/v1/backups/${backupOf[engine]}/restore`;
    const cases: Array<[string, ReturnType<typeof stack.caller>, string, unknown, number, string]> = [
      [
        'a database of another backup',
        alice,
        url('mariadb'),
        { databaseId: dbs.postgresql.databaseId },
        404,
        'BACKUPS_ERR_DATABASE_NOT_IN_BACKUP',
      ],
      [
        'a database that never existed',
        alice,
        url('mariadb'),
        { databaseId: randomUUID() },
        404,
        'BACKUPS_ERR_DATABASE_NOT_IN_BACKUP',
      ],
      [
        'a database and a path',
        alice,
        url('mariadb'),
        { databaseId: dbs.mariadb.databaseId, path: 'public' },
        400,
        'BACKUPS_ERR_RESTORE_CONFLICT',
      ],
      [
        'a database into another site',
        alice,
        url('mariadb'),
        { databaseId: dbs.mariadb.databaseId, targetWebsiteId: sites.postgresql.id },
        400,
        'BACKUPS_ERR_RESTORE_CONFLICT',
      ],
      ['not a uuid', alice, url('mariadb'), { databaseId: 'x; DROP DATABASE' }, 400, 'HOST_ERR_VALIDATION'],
      ['another tenant’s backup', bob, url('mariadb'), { databaseId: dbs.mariadb.databaseId }, 404, 'BACKUPS_ERR_NOT_FOUND'],
    ];
    for (const [name, who, path, body, status, code] of cases) {
      const res = await who.post(path, body);
      t.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      t.equal(res.body.error?.code, code, name);
    }
  });

  t.test('a database deleted since its backup: 409, nothing restored', async (t) => {
    const site = await stack.site('own');
    const db = await stack.siteDatabase(site, 'postgresql');
    await stack.asUser(db, (q) => fillOdd(q, 'postgresql'));
    const b = await finished(alice, (await alice.post('/v1/backups', { websiteId: site.id })).body.id, 120_000);
    t.equal(b.status, 'succeeded', b.error ?? '');
    const del = await alice.del(`/v1/databases/${db.databaseId}?confirm=${db.database}`);
    t.equal(del.status, 200, JSON.stringify(del.body));
    const res = await alice.post(`/v1/backups/${b.id}/restore`, { databaseId: db.databaseId });
    t.equal(res.status, 409);
    t.equal(res.body.error.code, 'BACKUPS_ERR_DATABASE_GONE');
  });

  t.test('a site without databases backs up its files only', async (t) => {
    const site = await stack.site('own');
    const b = await finished(alice, (await alice.post('/v1/backups', { websiteId: site.id })).body.id);
    t.equal(b.status, 'succeeded', b.error ?? '');
    t.same(b.databases, []);
  });
}
