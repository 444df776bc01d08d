/** The database-server contract against the plugin's own managed mariadbd. */
import t from 'tap';
import { databaseServerContract } from '@hostplane/testing';
import { canUseOver, freePort, managedDriver, systemMissing, tempRoot } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const driver = managedDriver(root, port);
  t.teardown(async () => {
    await driver.stop();
    // Teardown runs after the plan ends: a daemon left behind is an error, not an assertion.
    if ((await driver.managed?.runningPid()) != null) throw new Error('mariadbd still runs after stop');
  });
  // Inside a subtest: tap ends an idle root test (and runs its teardown) while the top level awaits.
  await t.test('the managed server starts', async (t) => {
    await driver.start();
    const status = await driver.status();
    t.equal(status.state, 'ready', status.reason ?? 'ready');
    t.equal(status.mode, 'managed');
  });
  databaseServerContract(t, { server: driver, prefix: `hpct${process.pid % 100_000}`, canUse: canUseOver(port) });
}
