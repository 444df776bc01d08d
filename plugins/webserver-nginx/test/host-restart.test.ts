/**
 * Customers' sites outlive the host process: `hostplane start` (compiled, in a child process,
 * as `npm start` runs it) is stopped with SIGTERM and started again while a static and a PHP
 * site are asked for every 50 ms; not one request fails. Disabling the plugin then stops NGINX
 * and PHP-FPM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createTestDatabase } from '@hostplane/core';
import { REPO, cli } from '../../../host/test/support/cli.js';
import { assertNoDaemons, daemonsUnder, stopAtExit, stopAtExitUnder, stopDaemons } from './daemons.js';
import { freePort, get, removeUsers, site, systemMissing, uniqueName } from './helpers.js';

const entry = join(REPO, 'host/dist/cli/main.js');
const missing = systemMissing();
const skip = missing ?? (existsSync(entry) ? false : 'host/dist is not built (npm test builds it)');

async function eventually<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True once NGINX runs exactly its one worker (workerProcesses=1) and none is shutting down. */
async function reloadOver(pidFile: string): Promise<true | undefined> {
  const pid = (await readFile(pidFile, 'utf8')).trim();
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(/\s+/).filter(Boolean);
  if (children.length !== 1) return undefined;
  const title = await readFile(`/proc/${children[0]}/cmdline`, 'utf8');
  return title.includes('shutting down') ? undefined : true;
}

t.test('sites keep answering while the host restarts; disabling the plugin stops the servers', { skip }, async (t) => {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'hp-rs-'));
  // NGINX workers (www-data when root) pass through it to the site trees.
  await chmod(dataDir, 0o711);
  const root = join(dataDir, 'webserver');
  stopAtExit(root);
  // The first start enables the database drivers too; their servers are not under test here.
  stopAtExitUnder(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PORT: '0',
    HOSTPLANE_LOG_LEVEL: 'info',
  };
  delete env.NODE_OPTIONS;
  const children: ChildProcess[] = [];
  const names = [uniqueName('keep'), uniqueName('keepphp')];
  t.teardown(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    try {
      await assertNoDaemons(root);
    } finally {
      for (const dir of ['mariadb', 'postgresql']) await stopDaemons(join(dataDir, dir));
      await removeUsers(names);
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  const run = async (...argv: string[]): Promise<void> => {
    const r = await cli(argv, env);
    t.equal(r.code, 0, `hostplane ${argv.join(' ')} ${r.err}`);
  };
  await run('migrate', 'up');
  // An administrator exists, so the start is not a first run that enables every plugin.
  await run('admin', 'create', '--email', 'ops@example.test');
  await run('plugins', 'enable', 'webserver-nginx');
  await run('plugins', 'config', 'set', 'webserver-nginx', `httpPort=${port}`, 'workerProcesses=1');
  // Two sites the driver recorded at an earlier apply: the plugin applies them again at start.
  const [staticName, phpName] = names as [string, string];
  await mkdir(join(root, 'state'), { recursive: true, mode: 0o700 });
  await writeFile(join(root, 'state', `${staticName}.json`), JSON.stringify(site(staticName)));
  await writeFile(join(root, 'state', `${phpName}.json`), JSON.stringify(site(phpName, { kind: 'php', phpVersion: '8.2' })));

  const outputs: string[] = [];
  const start = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [entry, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const index = outputs.push('') - 1;
    let out = '';
    const add = (d: Buffer): void => {
      out += d.toString();
      outputs[index] = out;
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    const base = await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the host exited: ${out}`);
        return /running at (http:\/\/\S+)/.exec(out)?.[1];
      },
      60_000,
      'the host to listen',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- host output ---\n${out.slice(-3000)}`);
    });
    await eventually(async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 30_000, '/health');
    return child;
  };
  const stop = (child: ChildProcess): Promise<unknown> => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    return exited;
  };

  let host = await start();
  for (const name of names) {
    await eventually(async () => ((await get(port, `${name}.localhost`)).status === 200 ? true : undefined), 60_000, name);
  }
  // A 200 proves a worker with the new configuration runs, not that the reload is over: the old
  // worker (no sites yet) may accept one more connection before it hears it must stop, and
  // answers 404 from the default server. That is the first apply, not the restart under test.
  await eventually(() => reloadOver(join(root, 'run', 'nginx.pid')), 30_000, 'the first reload to end');

  // Ask both sites every 50 ms (a request at a time per site) until told to stop.
  const failures: string[] = [];
  let answered = 0;
  let polling = true;
  const poll = async (name: string): Promise<void> => {
    while (polling) {
      const began = Date.now();
      try {
        const res = await get(port, `${name}.localhost`);
        if (res.status === 200) answered++;
        else failures.push(`${name}: HTTP ${res.status} at ${new Date().toISOString()}`);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - began))));
    }
  };
  const pollers = Promise.all(names.map(poll));
  await new Promise((r) => setTimeout(r, 300));
  await stop(host);
  await new Promise((r) => setTimeout(r, 500)); // no host at all for a while
  host = await start();
  await new Promise((r) => setTimeout(r, 1_000)); // after the new host adopted and reloaded the servers
  polling = false;
  await pollers;
  if (failures.length > 0) {
    // What each host said (warnings up) and what NGINX logged: the reason, next to the failure.
    outputs.forEach((out, i) => t.comment(`--- host ${i + 1} output ---\n${out.slice(-4000)}`));
    const logs = [join(root, 'logs', 'error.log'), join(root, 'logs', 'php-fpm8.2.log')];
    for (const name of names) logs.push(join(root, 'sites', name, 'logs', 'error.log'));
    for (const log of logs) t.comment(`--- ${log} ---\n${(await readFile(log, 'utf8').catch(() => '')).slice(-3000)}`);
  }
  t.same(failures, [], 'no request failed across the restart');
  t.ok(answered >= 20, `${answered} requests answered`);

  await run('plugins', 'disable', 'webserver-nginx');
  // The running host hears of it (LISTEN/NOTIFY) and stops the plugin: its servers end.
  await eventually(async () => ((await daemonsUnder(root)).length === 0 ? true : undefined), 30_000, 'the servers to stop');
  await t.rejects(get(port, `${staticName}.localhost`), 'nothing listens any more');
  await stop(host);
});
