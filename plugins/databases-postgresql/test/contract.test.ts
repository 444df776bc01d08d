/** The database-server contract against the plugin's own managed PostgreSQL cluster. */
import t from 'tap';
import { databaseServerContract } from '@hostplane/testing';
import { canUseOver, driver as makeDriver, freePort, systemMissing, tempRoot } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const driver = makeDriver({ root, port });
  t.teardown(async () => {
    await driver.stop();
    if ((await driver.managed?.runningPid()) != null) throw new Error('postgres still runs after stop');
  });
  // Inside a subtest: tap ends an idle root test (and runs its teardown) while the top level awaits.
  await t.test('the managed cluster starts, and a host that stops leaves it to be adopted', async (t) => {
    await driver.start();
    const status = await driver.status();
    t.equal(status.state, 'ready', status.reason ?? 'ready');
    t.equal(status.mode, 'managed');
    const pid = await driver.managed?.runningPid();
    t.ok(pid);
    await driver.stop({ keepServer: true });
    await driver.start();
    t.equal(await driver.managed?.runningPid(), pid, 'adopted, not restarted');
    t.equal((await driver.status()).state, 'ready');
  });
  databaseServerContract(t, { server: driver, prefix: `hpct${process.pid % 100_000}`, canUse: canUseOver(port) });
}
