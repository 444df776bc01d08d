/**
 * Databases count against the package's disk: the sizes this plugin measures on the real
 * MariaDB reach the usage metering plugin through the `disk-usage` extension point, so
 * `disk_mb` covers a customer's databases as well as their sites' files, a full disk refuses
 * new websites, and a deleted database frees its space at the next measurement.
 */
import t from 'tap';
import mysql from 'mysql2/promise';
import websites from '@hostplane/plugin-websites';
import metering from '@hostplane/plugin-metering';
import { caller, packageBody, sqlOf, twoTrees } from '../../accounts/test/helpers.js';
import { startDatabasesHost, systemMissing } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const { host, port } = await startDatabasesHost(t, {
    plugins: [{ definition: websites, version: '0.1.0' }, metering],
  });
  const sql = sqlOf(host);
  t.teardown(() => sql.destroy());
  const events = host.recordEvents('usage.threshold.crossed');
  const { admin, customerA } = await twoTrees(sql);
  const asAdmin = caller(host, admin);
  const asA = caller(host, customerA);
  // 1 MB of disk for everything; the databases hold the only data (no web server here).
  const pkg = (await asAdmin.post('/v1/packages', packageBody({ limits: { ...packageBody().limits, disk_mb: 1, databases: 2 } })))
    .body;
  const sub = (await asAdmin.post('/v1/subscriptions', { customerId: customerA.id, packageId: pkg.id, billingCycle: 'monthly' }))
    .body.id as string;
  /** An hour passes: the databases are measured, then metering takes their sizes. */
  const measure = async () => {
    await host.clock.advance(60 * 60_000);
    await host.drainJobs();
  };
  const diskUsed = async () => {
    const items = (await asA.get('/v1/usage')).body.items as Array<{
      subscriptionId: string;
      usage: Array<{ resource: string; used: number }>;
    }>;
    return items.find((i) => i.subscriptionId === sub)?.usage.find((u) => u.resource === 'disk_mb')?.used;
  };

  await t.test('a database’s size is counted in disk_mb, and a full disk refuses new websites', async (t) => {
    const db = await asA.post('/v1/databases', { name: 'blobs' });
    t.equal(db.status, 201, JSON.stringify(db.body));
    const user = await asA.post(`/v1/databases/${db.body.id}/users`, {});
    t.equal(user.status, 201);
    const conn = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: user.body.user.name,
      password: user.body.password,
      database: db.body.name,
    });
    try {
      await conn.query('CREATE TABLE blobs (id INT PRIMARY KEY, data LONGBLOB) ENGINE=InnoDB');
      for (let i = 0; i < 4; i += 1) await conn.query('INSERT INTO blobs VALUES (?, ?)', [i, Buffer.alloc(768 * 1024, i + 1)]);
      // InnoDB's table statistics (what a size reads) are refreshed by ANALYZE, not by each insert.
      await conn.query('ANALYZE TABLE blobs');
    } finally {
      await conn.end();
    }
    await measure();
    const size = (await asA.get(`/v1/databases/${db.body.id}`)).body.sizeBytes as number;
    t.ok(size > 2 * 1024 * 1024, `the database holds ${size} bytes`);
    const used = await diskUsed();
    t.ok(used !== undefined && used >= Math.floor(size / (1024 * 1024)), `disk_mb used: ${used}`);
    const crossed = await events.waitFor(
      'usage.threshold.crossed',
      (p) => p.subscriptionId === sub && p.resource === 'disk_mb' && p.level === 'exceeded',
    );
    t.ok(crossed.payload.used >= 2, `the exceeded notice counts the database (${crossed.payload.used} MB)`);
    const refused = await asA.post('/v1/websites', {
      domain: `full-${Date.now()}.example.test`,
      kind: 'static',
      subscriptionId: sub,
    });
    t.equal(refused.status, 409);
    t.equal(refused.body.error.code, 'METERING_ERR_DISK_QUOTA_EXCEEDED');

    await t.test('a deleted database frees its space at the next measurement', async (t) => {
      const gone = await asA.del(`/v1/databases/${db.body.id}?confirm=${db.body.name}`);
      t.equal(gone.status, 200);
      await measure();
      t.equal(await diskUsed(), 0, 'nothing stored any more');
      const created = await asA.post('/v1/websites', {
        domain: `room-${Date.now()}.example.test`,
        kind: 'static',
        subscriptionId: sub,
      });
      t.equal(created.status, 201, JSON.stringify(created.body));
    });
  });
}
