/**
 * Managed mode's life: the server outlives a host that stops or crashes and is adopted by the
 * next start; a mariadbd killed with -9 is started again with its data; a taken port degrades
 * the driver with mariadbd's own words; a stop ends it.
 */
import net from 'node:net';
import t from 'tap';
import { canUseOver, freePort, managedDriver, systemMissing, tempRoot } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const first = managedDriver(root, port);
  t.teardown(async () => {
    const last = managedDriver(root, port);
    await last.managed?.stop();
    if ((await last.managed?.runningPid()) != null) throw new Error('mariadbd still runs after stop');
  });

  let pid: number | null | undefined;
  // Inside a subtest: tap ends an idle root test (and runs its teardown) while the top level awaits.
  await t.test('a first start initialises a datadir and starts mariadbd', async (t) => {
    await first.start();
    const status = await first.status();
    t.equal(status.state, 'ready', status.reason ?? '');
    pid = await first.managed?.runningPid();
    t.ok(pid, 'mariadbd runs with a pid file');
    await first.createDatabase('hpm_keep');
    await first.createUser('hpm_keep', 'Aa1-keep-password-xyz');
    await first.grant('hpm_keep', 'hpm_keep');
    t.ok(await canUseOver(port)({ user: 'hpm_keep', password: 'Aa1-keep-password-xyz', database: 'hpm_keep' }));
  });

  await t.test('a host that stops (or dies) leaves mariadbd serving; the next start adopts it', async (t) => {
    await first.stop({ keepServer: true });
    t.equal(await first.managed?.runningPid(), pid, 'still running');
    t.ok(
      await canUseOver(port)({ user: 'hpm_keep', password: 'Aa1-keep-password-xyz', database: 'hpm_keep' }),
      'customers still served',
    );
    const next = managedDriver(root, port);
    await next.start();
    t.equal((await next.status()).state, 'ready');
    t.equal(await next.managed?.runningPid(), pid, 'the same server, adopted');
    t.same(await next.existingDatabases(['hpm_keep']), ['hpm_keep']);
    await next.stop({ keepServer: true });
  });

  await t.test('a mariadbd killed with -9 is started again with its data', async (t) => {
    process.kill(pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const next = managedDriver(root, port);
    await next.start();
    const status = await next.status();
    t.equal(status.state, 'ready', status.reason ?? '');
    const newPid = await next.managed?.runningPid();
    t.ok(newPid && newPid !== pid, 'a new server');
    t.ok(
      await canUseOver(port)({ user: 'hpm_keep', password: 'Aa1-keep-password-xyz', database: 'hpm_keep' }),
      'data and users kept',
    );
    await next.stop();
    t.equal(await next.managed?.runningPid(), null, 'a stop (plugin disabled) ends it');
  });

  await t.test('a taken port degrades the driver with the reason', async (t) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const otherRoot = await tempRoot();
    const driver = managedDriver(otherRoot, taken);
    try {
      await driver.start();
      const status = await driver.status();
      t.equal(status.state, 'degraded');
      t.match(status.reason, /port|bind|Address already in use/i);
      await t.rejects(driver.createDatabase('hpm_x'), { code: 'DBSERVER_ERR_UNAVAILABLE' });
    } finally {
      await driver.stop();
      blocker.close();
    }
  });
}
