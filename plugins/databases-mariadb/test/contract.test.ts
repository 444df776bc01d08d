/**
 * The database-server contract against the plugin's own managed mariadbd, and again in external
 * mode: a second driver reaching the same server over TCP with an admin account of its own.
 */
import t from 'tap';
import { databaseServerContract } from '@hostplane/testing';
import mysql from 'mysql2/promise';
import { MariaDbDriver } from '../src/index.js';
import { canUseOver, freePort, managedDriver, silentLogger, systemMissing, tempRoot } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const driver = managedDriver(root, port);
  const external = new MariaDbDriver({
    mode: 'external',
    root: '',
    port,
    host: '127.0.0.1',
    adminUser: 'hpext_admin',
    adminPassword: 'Aa1-external-admin-password',
    mariadbd: '/usr/sbin/mariadbd',
    installDb: '/usr/bin/mariadb-install-db',
    bufferPoolMb: 16,
    logger: silentLogger,
  });
  t.teardown(async () => {
    await external.stop();
    await driver.stop();
    // Teardown runs after the plan ends: a daemon left behind is an error, not an assertion.
    if ((await driver.managed?.runningPid()) != null) throw new Error('mariadbd still runs after stop');
  });
  // Inside a subtest: tap ends an idle root test (and runs its teardown) while the top level awaits.
  await t.test('the managed server starts; an external-mode driver reaches it with admin credentials', async (t) => {
    await driver.start();
    const status = await driver.status();
    t.equal(status.state, 'ready', status.reason ?? 'ready');
    t.equal(status.mode, 'managed');
    // The admin account an operator would give an external-mode driver, made over our socket.
    const admin = await driver.managed?.readAdmin();
    const conn = await mysql.createConnection({ socketPath: driver.managed?.layout.socket, ...admin });
    await conn.query("CREATE USER 'hpext_admin'@'127.0.0.1' IDENTIFIED BY 'Aa1-external-admin-password'");
    await conn.query("GRANT ALL PRIVILEGES ON *.* TO 'hpext_admin'@'127.0.0.1' WITH GRANT OPTION");
    await conn.end();
    await external.start();
    const ext = await external.status();
    t.equal(ext.state, 'ready', ext.reason ?? '');
    t.equal(ext.mode, 'external');
    t.equal(ext.endpoint?.socket, null);
  });
  databaseServerContract(t, { server: driver, prefix: `hpct${process.pid % 100_000}`, canUse: canUseOver(port) });
  databaseServerContract(t, { server: external, prefix: `hpce${process.pid % 100_000}`, canUse: canUseOver(port) });
}
