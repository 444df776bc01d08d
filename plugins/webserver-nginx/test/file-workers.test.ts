/**
 * The processes file operations run in: a user's next operation reuses its free worker, parallel
 * operations each get their own, a free worker leaves after its idle time, one that takes too
 * long is killed with a clear error and the next operation gets a new one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FileWorkers } from '../src/services/file-workers.js';

const root = await mkdtemp(join(tmpdir(), 'hp-file-workers-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
await writeFile(join(root, 'a.txt'), 'a');
const list = JSON.stringify({ root, op: 'list', segments: [] });
const names = (line: string): string[] => (JSON.parse(line) as { ok: Array<{ name: string }> }).ok.map((e) => e.name);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('the next operation reuses the free worker; parallel ones start their own; one stays free', async (t) => {
  const workers = new FileWorkers(60_000);
  t.teardown(() => workers.close());
  t.same(names(await workers.run(null, list, 10_000)), ['a.txt']);
  const [first] = workers.pids();
  t.same(names(await workers.run(null, list, 10_000)), ['a.txt']);
  t.same(workers.pids(), [first], 'the same process answered again');

  const answers = await Promise.all([1, 2, 3].map(() => workers.run(null, list, 10_000)));
  t.same(answers.map(names), [['a.txt'], ['a.txt'], ['a.txt']]);
  // Two of the three were started for the burst and end once done: one free worker is kept.
  for (let i = 0; i < 100 && workers.pids().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(workers.pids().length, 1);
  t.same(workers.pids(), [first]);
});

t.test('a refused operation is an answer, not a dead worker', async (t) => {
  const workers = new FileWorkers(60_000);
  t.teardown(() => workers.close());
  const missing = JSON.parse(await workers.run(null, JSON.stringify({ root, op: 'list', segments: ['nope'] }), 10_000));
  t.match(missing, { error: { kind: 'missing' } });
  t.same(names(await workers.run(null, list, 10_000)), ['a.txt'], 'the same worker goes on');
  t.equal(workers.pids().length, 1);
});

t.test('a free worker leaves after its idle time; close stops the rest', async (t) => {
  const workers = new FileWorkers(200);
  await workers.run(null, list, 10_000);
  const [pid] = workers.pids();
  for (let i = 0; i < 100 && alive(pid!); i++) await new Promise((r) => setTimeout(r, 20));
  t.notOk(alive(pid!), 'gone after the idle time');
  t.same(workers.pids(), []);

  const kept = new FileWorkers(60_000);
  await kept.run(null, list, 10_000);
  const [other] = kept.pids();
  kept.close();
  for (let i = 0; i < 100 && alive(other!); i++) await new Promise((r) => setTimeout(r, 20));
  t.notOk(alive(other!), 'close stops a free worker');
});

t.test('an operation past its time limit is killed with an error; the next one gets a new worker', async (t) => {
  const workers = new FileWorkers(60_000);
  t.teardown(() => workers.close());
  // A FIFO with no reader: opening it for writing blocks the worker until the time limit kills
  // it. (Reading one is refused at once: it is not a file. The test once read it and passed
  // only on a machine slow enough to miss 300 ms for the worker's start.)
  const fifo = join(root, 'stuck');
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [fifo]);
  const stuck = JSON.stringify({ root, op: 'write', segments: ['stuck'], content: Buffer.from('x').toString('base64') });
  await t.rejects(workers.run(null, stuck, 300), /file operation failed/);
  t.same(workers.pids(), [], 'the killed worker is not kept');
  await rm(fifo);
  t.same(names(await workers.run(null, list, 10_000)), ['a.txt']);
});
