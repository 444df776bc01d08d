import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import t from 'tap';
import { TaskPool } from '../src/jobs/index.js';

const logger = pino({ level: process.env.HOSTPLANE_TEST_LOG_LEVEL ?? 'silent' }) as unknown as Logger;
const fixture = (file: string): URL => new URL(`./fixtures/tasks/${file}`, import.meta.url);

// One pool for the file: each thread loads the TypeScript loader (ts-node) first, which costs
// about a second of CPU, so one thread is shared rather than started per test.
const pool = new TaskPool({ logger, maxThreads: 1 });
t.teardown(() => pool.destroy());

function registerFixtures(): void {
  pool.setTasks(
    new Map([
      ['test:double', fixture('double.ts')],
      ['test:slow-sum', fixture('slow-sum.ts')],
      ['test:explode', fixture('throws.ts')],
      ['test:quota', fixture('throws-coded.ts')],
      ['test:no-default', fixture('no-default.ts')],
      ['test:missing', fixture('does-not-exist.ts')],
      ['test:plain', fixture('plain.mjs')],
    ]),
  );
}

t.test('a TypeScript task module runs on a worker thread with plain data in and out', async (t) => {
  registerFixtures();
  const result = (await pool.run('test:double', { n: 21 })) as { n: number; isMainThread: boolean; threadId: number };
  t.equal(result.n, 42);
  t.equal(result.isMainThread, false, 'ran off the main thread (the worker got the TypeScript loader)');
  t.ok(result.threadId > 0);
  t.same(await pool.run('test:slow-sum', { values: [1, 2, 3] }), { sum: 6, at: new Date(0) }, 'async task, Date survives');
  t.match(await pool.run('test:plain', { text: 'abc' }), { text: 'ABC', isMainThread: false });
  const many = await Promise.all(Array.from({ length: 20 }, (_, n) => pool.run('test:double', { n })));
  t.same(
    many.map((r) => (r as { n: number }).n),
    Array.from({ length: 20 }, (_, n) => n * 2),
  );
  t.equal(pool.maxThreads, 1);
});

t.test('unknown tasks, throwing tasks and broken modules reject with codes', async (t) => {
  registerFixtures();
  await t.rejects(pool.run('test:nope', {}), { code: 'TASKS_ERR_UNKNOWN', statusCode: 400 });
  await t.rejects(pool.run('test:explode', { why: 'on purpose' }), {
    code: 'TASKS_ERR_FAILED',
    message: 'task exploded: on purpose',
    details: { task: 'test:explode' },
    cause: { message: 'task exploded: on purpose', stack: /throws\.ts/ },
  });
  await t.rejects(pool.run('test:quota', { used: 7 }), {
    name: 'HostplaneError',
    code: 'FIXTURE_ERR_QUOTA',
    statusCode: 422,
    message: 'quota exceeded: 7',
    details: { used: 7 },
  });
  await t.rejects(pool.run('test:no-default', {}), { code: 'TASKS_ERR_INVALID_MODULE' });
  await t.rejects(pool.run('test:missing', {}), { code: 'TASKS_ERR_FAILED', message: /does-not-exist/ });
  await t.rejects(pool.run('test:double', { fn: () => 1 }), { code: 'TASKS_ERR_FAILED' }, 'input must be cloneable');
  t.equal(((await pool.run('test:double', { n: 1 })) as { n: number }).n, 2, 'the pool still works');
});

t.test('setTasks replaces the registry and checks names', async (t) => {
  registerFixtures();
  t.ok(pool.has('test:double'));
  pool.setTasks(new Map([['other:double', fixture('double.ts')]]));
  t.notOk(pool.has('test:double'));
  await t.rejects(pool.run('test:double', { n: 1 }), { code: 'TASKS_ERR_UNKNOWN' });
  t.match(await pool.run('other:double', { n: 2 }), { n: 4 });
  t.throws(() => pool.setTasks(new Map([['NoColon', fixture('double.ts')]])), { code: 'TASKS_ERR_INVALID_NAME' });
  await pool.destroy();
  await t.rejects(pool.run('other:double', { n: 2 }), { code: 'TASKS_ERR_DESTROYED' });
  await pool.destroy();
});

// The same pool from compiled output, in a plain node process (no TypeScript loader anywhere):
// the worker file must then be task-worker.js. Needs `tsc -b core` to have run (npm test does).
const distPool = new URL('../dist/jobs/task-pool.js', import.meta.url);
t.test(
  'from dist, in plain node, the pool loads the compiled worker',
  { skip: !existsSync(distPool) && 'core/dist not built' },
  async (t) => {
    const script = `
    import { TaskPool } from ${JSON.stringify(distPool.href)};
    const logger = { child: () => logger, debug() {}, error() {} };
    const pool = new TaskPool({ logger, maxThreads: 1 });
    pool.setTasks(new Map([['test:plain', new URL(${JSON.stringify(fixture('plain.mjs').href)})]]));
    console.log(JSON.stringify(await pool.run('test:plain', { text: 'dist' })));
    await pool.destroy();`;
    // A file, not `-e`: workers inherit execArgv and refuse `--input-type`.
    const dir = mkdtempSync(join(tmpdir(), 'hostplane-tasks-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script);
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      env,
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      timeout: 120_000,
    });
    t.same(JSON.parse(stdout), { text: 'DIST', isMainThread: false });
  },
);

// Dev mode runs sources under tsx, whose ESM hooks stay on the main thread on Node 20: the
// threads must still load TypeScript task modules (through tsx's require hook).
t.test('from sources under tsx, TypeScript task modules load in the threads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hostplane-tasks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'run.mjs');
  writeFileSync(
    file,
    `
    import { TaskPool } from ${JSON.stringify(new URL('../src/jobs/task-pool.ts', import.meta.url).href)};
    const logger = { child: () => logger, debug() {}, error() {} };
    const pool = new TaskPool({ logger, maxThreads: 1 });
    pool.setTasks(new Map([['test:double', new URL(${JSON.stringify(fixture('double.ts').href)})]]));
    console.log(JSON.stringify(await pool.run('test:double', { n: 4 })));
    await pool.destroy();`,
  );
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@hostplane/source', '--import', 'tsx', file], {
    env,
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeout: 120_000,
  });
  t.match(JSON.parse(stdout), { n: 8, isMainThread: false });
});
