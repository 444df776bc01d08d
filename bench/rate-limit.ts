/**
 * Rate-limit store cost: the same public plugin route (rate limited) on two hosts over one
 * kernel, one counting in memory (@fastify/rate-limit's LRU) and one in PostgreSQL (shared by
 * every host on the database: one upsert per request, decision 0032). Same autocannon
 * settings, taking turns for several rounds; reported per store: best req/s, p50/p99, the
 * server's CPU per request, and the median paired ratio postgres/memory.
 *
 * Every request comes from 127.0.0.1, so all of them update one row: the worst case for the
 * shared store (one client hammering), not the common one (many clients, many rows). The limit
 * is set high so nothing is refused; refusals are cheaper still (answered from memory).
 *
 * Target (proposed): postgres ≥ 0.7× memory req/s (median paired ratio).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/rate-limit.ts
 * Env: BENCH_DURATION (s per measurement, default 3), BENCH_ROUNDS (default 4),
 * BENCH_CONNECTIONS (default 32), BENCH_REDIS_URL (adds the Redis store as a third contestant).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Kernel, createLogger, createTestDatabase, openDatabase } from '@hostplane/core';
import { definePlugin } from '@hostplane/sdk';
import { createHost } from '../host/src/server/index.js';
import { answerCpuQuery, measure, median, type Measurement } from './support/measure.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_SECONDS = 1;
const TARGET = 0.7;

type Store = 'memory' | 'postgres' | 'redis';

// Redis joins when BENCH_REDIS_URL is set (e.g. redis://127.0.0.1:6379).
const REDIS_URL = process.env.BENCH_REDIS_URL;
const STORES: Store[] = REDIS_URL ? ['memory', 'postgres', 'redis'] : ['memory', 'postgres'];

const benchPlugin = definePlugin({
  id: 'bench',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    ctx.routes((app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true })));
  },
});

/** Child: one kernel, a host per store; report their ports. */
async function serve(): Promise<void> {
  const db = await createTestDatabase('hostplane_bench');
  const logger = createLogger({ level: 'warn' });
  const kernel = await Kernel.boot({
    database: await openDatabase({ url: db.url, dataDir: tmpdir() }),
    logger,
    inlinePlugins: [{ definition: benchPlugin }],
    enable: ['bench'],
    runWorkers: false,
    taskThreads: 1,
  });
  const rateLimit = { max: 100_000_000, timeWindow: '1 minute' };
  const hosts = await Promise.all(
    STORES.map((store) =>
      createHost({ kernel, logger, rateLimit, rateLimitStore: store, ...(REDIS_URL ? { redisUrl: REDIS_URL } : {}) }),
    ),
  );
  const ports: Record<Store, number> = { memory: 0, postgres: 0, redis: 0 };
  for (const [i, store] of STORES.entries()) {
    ports[store] = Number(new URL(await hosts[i]!.listen({ host: '127.0.0.1', port: 0 })).port);
  }
  process.send?.(ports);
  process.on('message', async (message) => {
    if (answerCpuQuery(message)) return;
    await Promise.all(hosts.map((h) => h.close()));
    await kernel.stop();
    await db.drop();
    process.exit(0);
  });
}

async function main(): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ports = await new Promise<Record<Store, number>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<Store, number>));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const stores = STORES;
  const url = (store: Store): string => `http://127.0.0.1:${ports[store]}/v1/bench`;
  const runs: Record<Store, Measurement[]> = { memory: [], postgres: [], redis: [] };
  try {
    for (const store of stores) await measure(child, url(store), { connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 0; round < ROUNDS; round++) {
      for (const store of stores) {
        const m = await measure(child, url(store), { connections: CONNECTIONS, duration: DURATION });
        runs[store].push(m);
        console.log(
          `round ${round + 1} ${store.padEnd(8)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
            `  cpu ${m.cpuPerRequest.toFixed(0)} µs/req` +
            (m.non2xx || m.errors ? `  non2xx ${m.non2xx} errors ${m.errors}` : ''),
        );
      }
    }
  } finally {
    child.send('stop');
  }
  const best = (store: Store): Measurement => runs[store].reduce((a, b) => (b.rps > a.rps ? b : a));
  const cpu = (store: Store): number => median(runs[store].map((m) => m.cpuPerRequest));
  const ratioOf = (store: Store): number => median(runs[store].map((m, i) => m.rps / runs.memory[i]!.rps));
  const ratio = ratioOf('postgres');
  const p50Added = median(runs.postgres.map((m, i) => m.p50 - runs.memory[i]!.p50));
  const clean = stores.every((store) => runs[store].every((m) => m.non2xx === 0 && m.errors === 0));
  for (const store of stores) {
    console.log(`${store.padEnd(8)} best ${best(store).rps.toFixed(0)} req/s  cpu ${cpu(store).toFixed(0)} µs/req`);
  }
  console.log(`postgres/memory ${ratio.toFixed(2)}× req/s (median of rounds; target ≥ ${TARGET}×), p50 +${p50Added} ms`);
  if (REDIS_URL) console.log(`redis/memory ${ratioOf('redis').toFixed(2)}× req/s`);
  console.log(
    JSON.stringify({
      bench: 'rate-limit',
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      memoryRps: Math.round(best('memory').rps),
      postgresRps: Math.round(best('postgres').rps),
      ratio: Number(ratio.toFixed(3)),
      memoryCpuMicrosPerRequest: Math.round(cpu('memory')),
      postgresCpuMicrosPerRequest: Math.round(cpu('postgres')),
      p50AddedMs: p50Added,
      ...(REDIS_URL
        ? {
            redisRps: Math.round(best('redis').rps),
            redisRatio: Number(ratioOf('redis').toFixed(3)),
            redisCpuMicrosPerRequest: Math.round(cpu('redis')),
          }
        : {}),
      target: TARGET,
      pass: ratio >= TARGET && clean,
    }),
  );
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main();
}
