/**
 * Worker-pool benchmark: a CPU-bound task (PBKDF2-SHA256) over N items on the TaskPool versus
 * the same loop on the main thread. Target: speedup ≥ 1.7× on 2 cores.
 *
 * This file is also the task module: its default export is what the pool's threads run (only
 * the main thread runs the benchmark below).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/tasks.ts
 * Env: BENCH_TASK_ITEMS (default 128), BENCH_TASK_ITERATIONS (PBKDF2 rounds, default 40000),
 * BENCH_TASK_ROUNDS (default 5).
 */
import { pbkdf2Sync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Logger } from '@hostplane/sdk';

/** One item of work: plain data in, plain data out. */
export interface HashInput {
  password: string;
  salt: string;
  iterations: number;
}

/** The task: derive a key, CPU only. */
export default function hash(input: HashInput): string {
  return pbkdf2Sync(input.password, input.salt, input.iterations, 32, 'sha256').toString('hex');
}

async function main(): Promise<void> {
  // Imported here so that worker threads loading this module as a task stay light.
  const { pino } = await import('pino');
  const { TaskPool } = await import('../core/src/jobs/task-pool.js');

  const ITEMS = Number(process.env.BENCH_TASK_ITEMS ?? 128);
  const ITERATIONS = Number(process.env.BENCH_TASK_ITERATIONS ?? 40_000);
  const ROUNDS = Number(process.env.BENCH_TASK_ROUNDS ?? 5);
  const cores = availableParallelism();
  const inputs: HashInput[] = Array.from({ length: ITEMS }, (_, i) => ({
    password: `password-${i}`,
    salt: `salt-${i}`,
    iterations: ITERATIONS,
  }));

  const logger = pino({ level: 'silent' }) as unknown as Logger;
  const pool = new TaskPool({ logger, maxThreads: cores });
  pool.setTasks(new Map([['bench:hash', new URL(import.meta.url)]]));
  try {
    // Warm up: start every thread and load the task module in each (not part of the work).
    await Promise.all(Array.from({ length: cores * 2 }, () => pool.run('bench:hash', { ...inputs[0]!, iterations: 1 })));
    hash({ ...inputs[0]!, iterations: 1 });

    // Rounds alternate which side goes first, so a neighbour's load burst hits both alike.
    const mainRuns: number[] = [];
    const poolRuns: number[] = [];
    const expected = inputs.map(hash);
    const runMain = (): void => {
      const start = performance.now();
      for (const input of inputs) hash(input);
      mainRuns.push(performance.now() - start);
    };
    const runPool = async (): Promise<void> => {
      const start = performance.now();
      const got = (await Promise.all(inputs.map((input) => pool.run('bench:hash', input)))) as string[];
      poolRuns.push(performance.now() - start);
      if (got.some((value, i) => value !== expected[i])) throw new Error('pool results differ from the main thread');
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        runMain();
        await runPool();
      } else {
        await runPool();
        runMain();
      }
    }
    const median = (xs: number[]): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    // Headline: best of N for each side (the least disturbed run; on a shared machine other
    // processes steal the second core far more often than the first). Medians shown too.
    const mainMs = Math.min(...mainRuns);
    const poolMs = Math.min(...poolRuns);
    const speedup = mainMs / poolMs;
    const medianSpeedup = median(mainRuns) / median(poolRuns);
    console.log(
      `tasks: ${ITEMS} × PBKDF2-SHA256 (${ITERATIONS} rounds), ${cores} cores, ${pool.maxThreads} threads, ${ROUNDS} runs each`,
    );
    console.log(
      `${'where'.padEnd(12)} ${'best ms'.padStart(9)} ${'median ms'.padStart(10)} ${'ms/item'.padStart(8)}   runs (ms)`,
    );
    const runs = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
    const line = (label: string, xs: number[]): string =>
      `${label.padEnd(12)} ${Math.min(...xs)
        .toFixed(0)
        .padStart(9)} ${median(xs).toFixed(0).padStart(10)} ${(Math.min(...xs) / ITEMS).toFixed(2).padStart(8)}   ${runs(xs)}`;
    console.log(line('main thread', mainRuns));
    console.log(line('task pool', poolRuns));
    console.log(
      `speedup ${speedup.toFixed(2)}× best-of-${ROUNDS} (target ≥ 1.7 on 2 cores) · ${medianSpeedup.toFixed(2)}× on medians`,
    );
    console.log(
      JSON.stringify({
        bench: 'tasks',
        items: ITEMS,
        iterations: ITERATIONS,
        cores,
        threads: pool.maxThreads,
        rounds: ROUNDS,
        mainMs,
        poolMs,
        speedup,
        medianSpeedup,
        pass: speedup >= 1.7,
      }),
    );
  } finally {
    await pool.destroy();
  }
}

// Not a top-level await: under tsx on Node 20 the threads load this file through `require`.
if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
