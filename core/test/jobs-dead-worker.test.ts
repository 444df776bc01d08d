import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { JobContext, JobInfo, Logger } from '@hostplane/sdk';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { JobEngine } from '../src/jobs/index.js';
import { useTestDatabase } from './helpers/database.js';

const logger = pino({ level: process.env.HOSTPLANE_TEST_LOG_LEVEL ?? 'silent' }) as unknown as Logger;
const child = fileURLToPath(new URL('./support/job-worker-child.ts', import.meta.url));

/** Poll `check` every 50 ms until it returns something, for at most `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A worker in a child process (support/job-worker-child.ts), once it has picked job `id`; killed at teardown. */
async function childWorkerRunning(t: Test, url: string, id: string): Promise<ChildProcess> {
  const worker = spawn(process.execPath, ['--conditions=@hostplane/source', '--import', 'tsx', child, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  });
  let output = '';
  worker.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor('the child to pick the job', async () => (output.includes(`picked ${id}\n`) ? true : undefined), 30_000);
  return worker;
}

t.test('a job whose worker process is SIGKILLed is shown interrupted and runs again elsewhere in seconds', async (t) => {
  const db = await useTestDatabase(t);
  const engine = new JobEngine({ connectionString: db.url, knex: db.knex, logger, deadWorkerSweepInterval: 200 });
  t.teardown(() => engine.stop());
  await engine.migrate();
  const { id } = await engine.enqueue('test:long', { n: 1 }, { maxAttempts: 3 });

  const worker = await childWorkerRunning(t, db.url, id);
  t.equal((await engine.get(id))?.state, 'running', 'running while its worker lives');

  worker.kill('SIGKILL');
  await once(worker, 'exit');
  const killedAt = performance.now();
  const interrupted = await waitFor('the job to show interrupted', async () => {
    const info = await engine.get(id);
    return info?.state === 'interrupted' ? info : undefined;
  });
  t.match(interrupted.lastError, /^interrupted: its worker worker-\w+ \(host .+, pid \d+\) stopped while running it/);
  t.equal((await engine.counts()).interrupted, 1);

  // Another worker (this process) takes it at its first sweep.
  let rerun: { attempt: number; seen: JobInfo | undefined } | undefined;
  await engine.setDefinitions([
    {
      name: 'test:long',
      maxAttempts: 3,
      handler: async (_payload: unknown, job: JobContext) => {
        rerun = { attempt: job.attempt, seen: await engine.get(job.id) };
      },
    },
  ]);
  await engine.start();
  await waitFor('the job to finish', async () => ((await engine.get(id)) === undefined && rerun ? true : undefined));
  const seconds = (performance.now() - killedAt) / 1000;
  t.ok(seconds < 5, `retried and done ${seconds.toFixed(1)} s after the kill`);
  t.equal(rerun?.attempt, 2, 'the interrupted run counts as an attempt');
  t.match(rerun?.seen, { state: 'running', lastError: /^interrupted: its worker .* stopped while running it$/ });
});

t.test('a live worker in another process is not taken for dead', async (t) => {
  const db = await useTestDatabase(t);
  const engine = new JobEngine({ connectionString: db.url, knex: db.knex, logger, deadWorkerSweepInterval: 100 });
  t.teardown(() => engine.stop());
  await engine.migrate();
  const { id } = await engine.enqueue('test:long', {}, { maxAttempts: 3 });
  await childWorkerRunning(t, db.url, id);
  await engine.start();
  t.equal(await engine.sweepDeadWorkers(), 0);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.match(await engine.get(id), { state: 'running', attempts: 1, lastError: null });
});
