/**
 * Metering disk benchmark: the disk use of 1,000 site trees measured as the metering plugin
 * does (one `disk-usage` task per site on the TaskPool, `diskConcurrency` sites at a time, each
 * paced to `diskOpsPerSecond` file-system calls), against the same trees measured unpaced in
 * the same run. Reports the time, the file-system calls per second (average, and the peak of
 * any 250 ms window, sampled from a counter the tasks' results feed), and the bytes read from
 * the kernel's own counters (/proc/self/io).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/metering-disk.ts
 * Env: BENCH_SITES (default 1000), BENCH_FILES (files per site, default 30),
 * BENCH_OPS (diskOpsPerSecond, default 2000), BENCH_CONCURRENCY (default 2).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from '@hostplane/sdk';
import { TaskPool } from '../core/src/jobs/task-pool.js';
import { inBatches } from '../plugins/metering/src/services/disk-meter.js';
import type { DiskUsage, DiskUsageInput } from '../plugins/metering/src/tasks/disk-usage.js';

const SITES = Number(process.env.BENCH_SITES ?? 1000);
const FILES = Number(process.env.BENCH_FILES ?? 30);
const OPS = Number(process.env.BENCH_OPS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);

async function makeTrees(root: string): Promise<string[]> {
  const roots: string[] = [];
  for (let s = 0; s < SITES; s += 1) {
    const site = path.join(root, `site-${s}`);
    const dirs = [path.join(site, 'public'), path.join(site, 'public', 'img'), path.join(site, 'logs')];
    for (const d of dirs) await mkdir(d, { recursive: true });
    for (let f = 0; f < FILES; f += 1)
      await writeFile(path.join(dirs[f % dirs.length]!, `f${f}.bin`), Buffer.alloc(512 + ((s * 31 + f * 7) % 8192)));
    roots.push(site);
  }
  return roots;
}

async function ioCounters(): Promise<{ rchar: number; syscr: number }> {
  const text = await readFile('/proc/self/io', 'utf8').catch(() => '');
  const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rchar: get('rchar'), syscr: get('syscr') };
}

async function measureAll(pool: TaskPool, roots: string[], opsPerSecond: number) {
  let ops = 0;
  let bytes = 0;
  let peak = 0;
  let last = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, (ops - last) * 4);
    last = ops;
  }, 250);
  const io0 = await ioCounters();
  const started = performance.now();
  await inBatches(roots, CONCURRENCY, async (root) => {
    const u = (await pool.run('metering:disk', {
      root,
      opsPerSecond,
      concurrency: 4,
      maxEntries: 2_000_000,
    } satisfies DiskUsageInput)) as DiskUsage;
    ops += u.ops;
    bytes += u.bytes;
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  const io1 = await ioCounters();
  return { ms, ops, bytes, peak, readSyscalls: io1.syscr - io0.syscr, readBytes: io1.rchar - io0.rchar };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hp-bench-disk-'));
  const logger = pino({ level: 'silent' }) as unknown as Logger;
  const pool = new TaskPool({ logger, maxThreads: availableParallelism() });
  pool.setTasks(new Map([['metering:disk', new URL('../plugins/metering/src/tasks/disk-usage.ts', import.meta.url)]]));
  try {
    const t0 = performance.now();
    const roots = await makeTrees(dir);
    const makeMs = performance.now() - t0;
    // One pass unmeasured: both measured passes then find the trees in the page cache alike.
    await measureAll(pool, roots, 1e9);
    const free = await measureAll(pool, roots, 1e9);
    const paced = await measureAll(pool, roots, OPS);
    if (free.bytes !== paced.bytes) throw new Error('paced and unpaced measurements disagree');
    const rate = (r: typeof free) => Math.round((r.ops / r.ms) * 1000);
    console.log(
      `metering disk: ${SITES} sites × ${FILES} files (made in ${(makeMs / 1000).toFixed(1)} s), ${CONCURRENCY} at a time`,
    );
    for (const [label, r] of [
      ['unpaced', free],
      [`paced ${OPS}/s`, paced],
    ] as const) {
      console.log(
        `  ${label.padEnd(14)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.ops} calls  ${rate(r)} calls/s avg  ${r.peak} calls/s peak (250 ms)  ${r.readSyscalls} read syscalls, ${r.readBytes} bytes read`,
      );
    }
    console.log(
      `  pacing bound: ${OPS * CONCURRENCY} calls/s (${OPS} per site × ${CONCURRENCY}); paced/unpaced time ${(paced.ms / free.ms).toFixed(2)}×; ${(paced.bytes / 1e6).toFixed(1)} MB measured`,
    );
    console.log(
      JSON.stringify({
        bench: 'metering-disk',
        sites: SITES,
        files: FILES,
        opsPerSecond: OPS,
        concurrency: CONCURRENCY,
        unpaced: free,
        paced,
        slowdown: paced.ms / free.ms,
        pass: paced.peak <= OPS * CONCURRENCY * 1.25,
      }),
    );
  } finally {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
