import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { openDatabase } from '../src/db/open-database.js';

const dataDir = await mkdtemp(path.join(tmpdir(), 'hostplane-crash-'));
const pgDir = path.join(dataDir, 'postgres');
const lockFile = path.join(pgDir, 'postmaster.pid');
t.teardown(() => rm(dataDir, { recursive: true, force: true }));

// Initialise once and remember how the server was started, to start it again "by hand".
const first = await openDatabase({ dataDir });
await first.knex.raw('create table survivor (n int)');
await first.knex('survivor').insert({ n: 42 });
const postmasterArgs = (await readFile(`/proc/${await lockPid()}/cmdline`, 'utf8')).split('\0').filter(Boolean);
await first.close();

const asPostgresUser: SpawnOptions =
  process.getuid?.() === 0
    ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) }
    : {};

async function lockPid(): Promise<number> {
  return Number.parseInt((await readFile(lockFile, 'utf8')).split('\n')[0]!, 10);
}

/** Wait until the server started by hand has written "ready" into its lock file. */
async function waitReady(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(lockFile, 'utf8').catch(() => '');
    if (/\bready\b/.test(text)) return lockPid();
    await sleep(25);
  }
  throw new Error('hand-started server never became ready');
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`]).toString());
}

t.test('a server orphaned by a killed host is stopped and the cluster reopened', async (t) => {
  // The shell exits at once, so the postmaster loses its parent, as after `kill -9` of the host.
  const [exe, ...args] = postmasterArgs as [string, ...string[]];
  const shell = spawn('sh', ['-c', '"$0" "$@" >/dev/null 2>&1 &', exe, ...args], { ...asPostgresUser, stdio: 'ignore' });
  await new Promise((resolve) => shell.on('exit', resolve));
  const orphan = await waitReady();

  const db = await openDatabase({ dataDir });
  t.teardown(() => db.close());
  t.equal(running(orphan), false, 'the orphan was stopped');
  t.not(await lockPid(), orphan);
  t.same(await db.knex('survivor').select('n'), [{ n: 42 }], 'data survived');
});

t.test('a server owned by a live Node process is shared, not restarted (the CLI beside npm start)', async (t) => {
  const [exe, ...args] = postmasterArgs as [string, ...string[]];
  // Child of this (Node) test process: to the kernel, another host using the directory.
  const child = spawn(exe, args, { ...asPostgresUser, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    child.kill('SIGINT');
    await exited;
  });
  const pid = await waitReady();
  const db = await openDatabase({ dataDir });
  t.equal(db.embedded, false, 'this process did not start it, so it will not stop it');
  t.same(await db.knex('survivor').select('n'), [{ n: 42 }], 'same data');
  await db.close();
  t.equal(running(pid), true, 'the other server still runs');
});
