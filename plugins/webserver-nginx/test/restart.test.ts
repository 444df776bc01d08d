/**
 * A host that restarts must not fail on "address in use": a new driver on the same root adopts
 * the masters a crashed process left running, and starts fresh ones when the pidfile lies.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { isRunning, waitFor } from '../src/services/exec.js';
import { assertNoDaemons } from './daemons.js';
import { freePort, get, makeDriver, silentLogger, site, systemMissing, tempRoot, uniqueName } from './helpers.js';

const missing = systemMissing();
if (missing) {
  t.plan(0, missing);
} else {
  const root = await tempRoot();
  const port = await freePort();
  const opts = { root, httpPort: port, siteUsers: 'current' as const };
  const pidOf = async (file: string): Promise<number> => Number(await fs.readFile(path.join(root, 'run', file), 'utf8'));
  let last = await makeDriver(opts);
  t.teardown(async () => {
    await last.stop();
    await assertNoDaemons(root);
    await fs.rm(root, { recursive: true, force: true });
  });

  t.test('a new process adopts running masters and keeps serving', async (t) => {
    t.equal((await last.start()).state, 'ready');
    const n = uniqueName('adopt');
    const spec = site(n, { kind: 'php', phpVersion: (await last.status()).phpVersions[0] as string });
    const applied = await last.apply(spec);
    await fs.writeFile(path.join(applied.documentRoot, 'index.php'), '<?php echo "alive";');
    await fs.writeFile(path.join(applied.documentRoot, 'who.php'), '<?php echo posix_geteuid();');
    if (process.getuid?.() === 0) {
      t.not((await get(port, `${n}.example.test`, '/who.php')).body, '0', "siteUsers 'current' as root never runs PHP as root");
    }
    const nginxPid = await pidOf('nginx.pid');

    // The old process "crashes": no stop(); a new driver starts on the same root and port.
    const said: Array<Record<string, unknown>> = [];
    const logger = { ...silentLogger, info: (o: object) => void said.push(o as Record<string, unknown>) };
    last = await makeDriver({ ...opts, logger });
    const status = await last.start();
    t.equal(status.state, 'ready', `second start ready (${status.reason ?? ''})`);
    t.equal(await pidOf('nginx.pid'), nginxPid, 'same nginx master');
    // php-fpm's reload re-executes and daemonizes again, so its pid changes; the driver says what it did.
    t.match(said, [{ how: 'adopted', listen: `127.0.0.1:${port}` }, { how: 'adopted' }], 'both masters adopted');
    t.equal((await get(port, `${n}.example.test`)).body, 'alive');
    await last.apply(spec);
    t.equal((await get(port, `${n}.example.test`)).body, 'alive', 'and still applies');
  });

  t.test('a master killed behind our back is started again by the next apply', async (t) => {
    const pid = await pidOf('nginx.pid');
    process.kill(pid, 'SIGQUIT');
    await waitFor(async () => !(await isRunning(pid)), 5_000);
    t.equal((await get(port, 'nobody.example.test').catch(() => null)) ?? null, null, 'nothing listens');
    const n = uniqueName('revive');
    await last.apply(site(n));
    t.equal((await get(port, `${n}.example.test`)).status, 200);
    t.not(await pidOf('nginx.pid'), pid);
  });

  t.test('a start re-applies recorded sites: deleted configs return, a new port is used, apps run again', async (t) => {
    const n = uniqueName('recorded');
    const app = uniqueName('recapp');
    const appPort = await freePort();
    await last.apply(site(n));
    const script = "require('http').createServer((q,s)=>s.end('app up')).listen(Number(process.env.PORT),'127.0.0.1')";
    await last.apply(
      site(app, { kind: 'nodejs', nodejs: { command: [process.execPath, '-e', script], port: appPort, env: {} } }),
    );
    await last.stop();
    await fs.rm(path.join(root, 'nginx', 'sites', `${n}.conf`));

    const newPort = await freePort();
    last = await makeDriver({ ...opts, httpPort: newPort });
    t.equal((await last.start()).state, 'ready');
    await last.whenRecovered();
    t.equal((await get(newPort, `${n}.example.test`)).status, 200, 'config restored, on the new port');
    await t.rejects(get(port, `${n}.example.test`), 'the old port is given up');
    const up = await waitFor(async () => (await get(newPort, `${app}.example.test`)).body === 'app up', 10_000, 50);
    t.ok(up, 'the Node.js app runs again');
    await last.remove({ id: '', name: app });
    await last.stop();
    last = await makeDriver(opts);
    t.equal((await last.start()).state, 'ready');
    await last.whenRecovered();
  });

  t.test('a pidfile naming some other process is not trusted', async (t) => {
    await last.stop();
    // Stopped cleanly, then a stale pidfile pointing at a live process that is not nginx.
    await fs.writeFile(path.join(root, 'run', 'nginx.pid'), String(process.pid));
    last = await makeDriver(opts);
    const status = await last.start();
    t.equal(status.state, 'ready', `started fresh (${status.reason ?? ''})`);
    t.not(await pidOf('nginx.pid'), process.pid);
    t.equal((await get(port, 'nobody.example.test')).status, 404);
  });

  t.test('a broken site file left on disk is set aside at start instead of keeping nginx down', async (t) => {
    await last.stop();
    const file = path.join(root, 'nginx', 'sites', 'leftover.conf');
    await fs.writeFile(file, 'server { listen 1.2.3.4:1; bogus_directive; }\n');
    last = await makeDriver(opts);
    t.equal((await last.start()).state, 'ready');
    await t.rejects(fs.stat(file), { code: 'ENOENT' });
    t.ok(await fs.stat(`${file}.broken`), 'kept as .broken for the admin');
  });

  t.test('a broken pool left on disk is set aside too', async (t) => {
    await last.stop();
    const version = (await fs.readdir(path.join(root, 'php')))[0] as string;
    const file = path.join(root, 'php', version, 'pools', 'leftover.conf');
    await fs.writeFile(file, '[leftover]\nlisten = /tmp/x.sock\npm = ondemand\npm.max_children = 1\nbogus_entry = 1\n');
    last = await makeDriver(opts);
    t.equal((await last.start()).state, 'ready');
    await t.rejects(fs.stat(file), { code: 'ENOENT' });
    t.ok(await fs.stat(`${file}.broken`));
  });

  t.test('a port held by someone else: degraded with the reason, not a crash', async (t) => {
    await last.stop();
    const net = await import('node:net');
    const blocker = net.createServer();
    const busy = await freePort();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
    const other = await makeDriver({ ...opts, root: path.join(root, 'other'), httpPort: busy });
    const status = await other.start();
    t.equal(status.state, 'degraded');
    t.match(status.reason, /Address already in use|bind/);
    await other.stop();
  });
}
