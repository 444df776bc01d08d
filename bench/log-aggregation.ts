/**
 * Log aggregation benchmark: the metering plugin's access-log counting (parse task over 8 MiB
 * byte ranges, merged) on the TaskPool versus the same ranges counted one after another on the
 * main thread, lines per second, same file, same run. Then the whole file (10 million lines by
 * default) on the pool, timed.
 *
 * Targets: pool ≥ 1.7× one thread (2 cores); 10 million lines within 60 s.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/log-aggregation.ts
 * Env: BENCH_LOG_LINES (whole file, default 10,000,000), BENCH_LOG_RATIO_LINES (lines of the
 * ratio rounds, default 1,000,000), BENCH_LOG_ROUNDS (default 3).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pino } from 'pino';
import type { Logger } from '@hostplane/sdk';
import { TaskPool } from '../core/src/jobs/task-pool.js';
import parseAccessLog from '../plugins/metering/src/tasks/parse-access-log.js';
import { emptyAggregate, merge, type Aggregate } from '../plugins/metering/src/tasks/aggregate.js';
import { rangesOf } from '../plugins/metering/src/services/traffic-meter.js';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 10_000_000);
const RATIO_LINES = Number(process.env.BENCH_LOG_RATIO_LINES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_LOG_ROUNDS ?? 3);

const PATHS = ['/', '/wp-login.php', '/css/site.css', '/img/logo.png', '/blog/2026/12/hello-world', '/api/items?page=2'];
const STATUSES = [200, 200, 200, 200, 304, 301, 404, 500];

/** Write `n` lines like NGINX's `hostplane` format, an hour of traffic per 100,000 lines. */
async function writeLog(file: string, n: number): Promise<number> {
  const out = createWriteStream(file);
  const base = Date.parse('2026-12-01T00:00:00Z');
  let chunk = '';
  for (let i = 0; i < n; i += 1) {
    const t = new Date(base + Math.floor(i / 100_000) * 3_600_000 + (i % 3600) * 1000).toISOString().replace('Z', '+00:00');
    chunk += `{"t":"${t}","s":${STATUSES[i % STATUSES.length]},"o":${200 + (i % 5000)},"i":${80 + (i % 300)},"m":"GET","u":"${PATHS[i % PATHS.length]}","h":"shop.example.test","a":"203.0.113.${i % 250}","r":"","ua":"Mozilla/5.0 (X11; Linux x86_64) bench/${i % 7}","d":0.0${i % 10}}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return (await stat(file)).size;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hp-bench-logs-'));
  const cores = availableParallelism();
  const logger = pino({ level: 'silent' }) as unknown as Logger;
  const pool = new TaskPool({ logger, maxThreads: cores });
  pool.setTasks(new Map([['metering:parse', new URL('../plugins/metering/src/tasks/parse-access-log.ts', import.meta.url)]]));
  try {
    const file = path.join(dir, 'access.log');
    let t0 = performance.now();
    const size = await writeLog(file, Math.max(LINES, RATIO_LINES));
    const writeMs = performance.now() - t0;

    // Ratio rounds on the first RATIO_LINES lines (a copy cut at a line end).
    const ratioFile = path.join(dir, 'ratio.log');
    await writeLog(ratioFile, RATIO_LINES);
    const ratioSize = (await stat(ratioFile)).size;
    const ranges = rangesOf(ratioFile, ratioSize);
    const onMain = async (): Promise<Aggregate> => {
      let agg = emptyAggregate();
      for (const r of ranges) agg = merge(agg, await parseAccessLog(r));
      return agg;
    };
    const onPool = async (): Promise<Aggregate> =>
      (await Promise.all(ranges.map((r) => pool.run('metering:parse', r) as Promise<Aggregate>))).reduce(merge, emptyAggregate());
    // Warm up both (JIT, threads started, module loaded in each).
    await Promise.all(
      Array.from({ length: cores * 2 }, () => pool.run('metering:parse', { file: ratioFile, start: 0, end: 4096 })),
    );
    await parseAccessLog({ file: ratioFile, start: 0, end: 4096 });
    const mainRuns: number[] = [];
    const poolRuns: number[] = [];
    let check: number | null = null;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? ['main', 'pool'] : ['pool', 'main'];
      for (const side of order) {
        const s = performance.now();
        const agg = side === 'main' ? await onMain() : await onPool();
        (side === 'main' ? mainRuns : poolRuns).push(performance.now() - s);
        if (agg.lines !== RATIO_LINES) throw new Error(`${side} counted ${agg.lines} lines, not ${RATIO_LINES}`);
        const requests = Object.values(agg.hours).reduce((n, b) => n + b.bytesOut, 0);
        if (check !== null && requests !== check) throw new Error('pool and main thread disagree');
        check = requests;
      }
    }
    const mainMs = Math.min(...mainRuns);
    const poolMs = Math.min(...poolRuns);
    const speedup = mainMs / poolMs;

    // The whole file on the pool, as the traffic job counts one rotated file.
    t0 = performance.now();
    const whole = (
      await Promise.all(rangesOf(file, size).map((r) => pool.run('metering:parse', r) as Promise<Aggregate>))
    ).reduce(merge, emptyAggregate());
    const wholeMs = performance.now() - t0;
    if (whole.lines !== Math.max(LINES, RATIO_LINES)) throw new Error(`counted ${whole.lines} lines`);

    const perSecond = (lines: number, ms: number): number => Math.round((lines / ms) * 1000);
    console.log(`log aggregation: ${cores} cores, ${pool.maxThreads} threads, 8 MiB ranges, ${ROUNDS} rounds each`);
    console.log(
      `  one thread   ${perSecond(RATIO_LINES, mainMs).toLocaleString('en')} lines/s (best of ${ROUNDS}: ${mainMs.toFixed(0)} ms)`,
    );
    console.log(
      `  worker pool  ${perSecond(RATIO_LINES, poolMs).toLocaleString('en')} lines/s (best of ${ROUNDS}: ${poolMs.toFixed(0)} ms)`,
    );
    console.log(`  speedup ${speedup.toFixed(2)}× (target ≥ 1.7 on 2 cores)`);
    console.log(
      `  ${whole.lines.toLocaleString('en')} lines (${(size / 1e9).toFixed(2)} GB) on the pool in ${(wholeMs / 1000).toFixed(1)} s (target ≤ 60 s; writing the file took ${(writeMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      JSON.stringify({
        bench: 'log-aggregation',
        cores,
        ratioLines: RATIO_LINES,
        mainMs,
        poolMs,
        speedup,
        lines: whole.lines,
        bytes: size,
        wholeMs,
        pass: speedup >= 1.7 && wholeMs <= 60_000,
      }),
    );
    await truncate(file, 0);
  } finally {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
