import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { retryWhileLocked, withAccountsLock } from '../src/programs/index.js';

const flock = await fs.access('/usr/bin/flock').then(
  () => true,
  () => false,
);
if (!flock && process.env.HOSTPLANE_REQUIRE_SYSTEM === '1')
  throw new Error('HOSTPLANE_REQUIRE_SYSTEM=1 but flock is missing (util-linux)');
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-accounts-lock-'));
t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
const file = path.join(dir, 'accounts.lock');
const source = fileURLToPath(new URL('../src/programs/accounts-lock.ts', import.meta.url));

t.test('holders take turns', { skip: !flock && 'needs flock (util-linux)' }, async (t) => {
  const events: string[] = [];
  const hold = (name: string) =>
    withAccountsLock(async () => {
      events.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(`${name} out`);
      return name;
    }, file);
  t.same(await Promise.all([hold('a'), hold('b'), hold('c')]), ['a', 'b', 'c'], 'each gets its own result');
  for (let i = 0; i < events.length; i += 2) {
    t.equal(events[i]?.replace(' in', ''), events[i + 1]?.replace(' out', ''), `no overlap: ${events.join(', ')}`);
  }
  await t.rejects(
    withAccountsLock(() => Promise.reject(new Error('work failed')), file),
    /work failed/,
    'the work’s error comes back',
  );
  t.equal(await withAccountsLock(async () => 'free again', file), 'free again', 'a failed work released the lock');
});

t.test('a holder that dies releases the lock', { skip: !flock && 'needs flock (util-linux)' }, async (t) => {
  // Another process holds the lock and never lets go, until it is killed with SIGKILL.
  const holder = spawn(
    process.execPath,
    [
      ...process.execArgv,
      '--input-type=module',
      '-e',
      `const { withAccountsLock } = await import(${JSON.stringify(source)});
       await withAccountsLock(() => { console.log('holding'); return new Promise(() => setInterval(() => {}, 1000)); }, ${JSON.stringify(file)});`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => holder.kill('SIGKILL'));
  holder.stdout.setEncoding('utf8');
  const [first] = (await once(holder.stdout, 'data')) as [string];
  t.match(first, /holding/);
  let got = false;
  const waiting = withAccountsLock(async () => {
    got = true;
  }, file);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(got, false, 'held elsewhere: this one waits');
  holder.kill('SIGKILL');
  await waiting;
  t.equal(got, true, 'the holder died: the lock is free');
});

t.test('a shadow tool is run again only while the user files are locked', async (t) => {
  const answers = [
    { code: 10, stderr: 'useradd: cannot lock /etc/passwd; try again later.' },
    { code: 1, stderr: 'newusers: cannot lock /etc/group; try again later.' },
    { code: 0, stderr: '' },
  ];
  let runs = 0;
  t.same(await retryWhileLocked(async () => answers[runs++]!), { code: 0, stderr: '' }, 'third time lucky');
  t.equal(runs, 3);
  runs = 0;
  const other = { code: 9, stderr: 'useradd: user already exists' };
  t.same(await retryWhileLocked(async () => (runs++, other)), other, 'another failure is returned at once');
  t.equal(runs, 1);
  runs = 0;
  const locked = { code: 10, stderr: 'cannot lock /etc/passwd' };
  t.same(await retryWhileLocked(async () => (runs++, locked), 3), locked, 'gives up after its tries');
  t.equal(runs, 3);
});
