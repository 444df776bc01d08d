/**
 * External mode against the platform's PostgreSQL (HOSTPLANE_TEST_DATABASE_URL's server, trust
 * on 127.0.0.1 here): the driver reaches it with admin credentials, and what it makes is
 * prefixed and dropped at the end. That server trusts every local login, so passwords are
 * checked by the contract on the managed cluster (contract.test.ts), not here; privileges are.
 */
import t from 'tap';
import { canUseOver, driver as makeDriver } from './helpers.js';

const url = new URL(process.env.HOSTPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const port = Number(url.port || 5432);
const driver = makeDriver({
  mode: 'external',
  host: url.hostname,
  port,
  adminUser: decodeURIComponent(url.username || 'postgres'),
  adminPassword: decodeURIComponent(url.password),
});
const prefix = `hpext${process.pid % 100_000}`;
const db = `${prefix}_app`;
const other = `${prefix}_other`;
const user = `${prefix}_app`;
t.teardown(async () => {
  await driver.dropUser(user).catch(() => undefined);
  await driver.dropDatabase(db).catch(() => undefined);
  await driver.dropDatabase(other).catch(() => undefined);
  await driver.stop();
});

await t.test('an existing server, driven with admin credentials, isolates a customer’s role', async (t) => {
  await driver.start();
  const status = await driver.status();
  t.equal(status.state, 'ready', status.reason ?? '');
  t.equal(status.mode, 'external');
  await driver.createDatabase(db);
  await driver.createDatabase(other);
  await driver.createUser(user, 'Aa1-external-password');
  const canUse = canUseOver(port);
  t.notOk(await canUse({ user, password: 'x', database: db }), 'no CONNECT before the grant');
  await driver.grant(user, db);
  t.ok(await canUse({ user, password: 'x', database: db }), 'granted');
  t.notOk(await canUse({ user, password: 'x', database: other }), 'another database refused');
  t.same(await driver.grantsOf(user), [db]);
  t.ok((await driver.sizeOf(db)) > 0);
  await driver.dropUser(user);
  await driver.dropDatabase(db);
  await driver.dropDatabase(other);
  t.same(await driver.existingUsers([user]), []);
  t.same(await driver.existingDatabases([db, other]), []);
});

await t.test('wrong admin credentials degrade the driver with the reason', async (t) => {
  const bad = makeDriver({ mode: 'external', host: url.hostname, port, adminUser: 'no_such_admin_role' });
  await bad.start();
  const status = await bad.status();
  t.equal(status.state, 'degraded');
  t.match(status.reason, /no_such_admin_role/);
  await t.rejects(bad.createDatabase(`${prefix}_x`), { code: 'DBSERVER_ERR_UNAVAILABLE' });
  await bad.stop();
});
