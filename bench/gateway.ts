/**
 * Gateway overhead benchmark: `GET /health` on the full host (request id, logging, security
 * headers, CORS, auth, route guard, metrics, error handling) against a bare Fastify hello-world,
 * same autocannon settings, same run. Also a public plugin route, which adds the rate limiter,
 * the guard's preHandler and one access-log line per request.
 *
 * The host runs as `hostplane start` runs it: a real kernel (on a throwaway database) with an
 * inline plugin serving the route, the kernel's logger (JSON to stdout at info, here /dev/null)
 * shared with the host. One thing differs: the kernel's health answer is computed once, so the
 * `select 1` each real /health sends to PostgreSQL does not count; this measures the gateway.
 *
 * The servers run in a child process so autocannon does not compete with them for the event
 * loop; the contestants take turns for several rounds. Reported per contestant: its best round
 * (req/s), the median of the per-round ratios to bare (each pair measured back to back, so
 * machine noise hits both alike) and the server's CPU time per request, which noise from
 * other processes disturbs least.
 *
 * Target: host ≥ 0.6× bare on /health (median paired ratio).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/gateway.ts
 * Env: BENCH_DURATION (s per measurement, default 3), BENCH_ROUNDS (default 4),
 * BENCH_CONNECTIONS (default 32), BENCH_CPU_PROF (a folder: profile the server process there
 * with --cpu-prof).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Kernel, createLogger, createTestDatabase, openDatabase } from '@hostplane/core';
import { definePlugin } from '@hostplane/sdk';
import Fastify from 'fastify';
import { createHost } from '../host/src/server/index.js';
import { answerCpuQuery, measure, median, type Measurement } from './support/measure.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP_SECONDS = 1;
const TARGET = 0.6;

interface Ports {
  bare: number;
  host: number;
}

/** The route the plugin contestant calls. */
const benchPlugin = definePlugin({
  id: 'bench',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    ctx.routes((app) => void app.get('/', { config: { public: true } }, async () => ({ ok: true })));
  },
});

/** Child: start both servers and report their ports. */
async function serve(): Promise<void> {
  const bare = Fastify();
  bare.get('/health', async () => ({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });

  const db = await createTestDatabase('hostplane_bench');
  // As `hostplane start`: one logger (stdout, info) for the kernel and the host.
  const logger = createLogger({ level: 'info' });
  const kernel = await Kernel.boot({
    database: await openDatabase({ url: db.url, dataDir: tmpdir() }),
    logger,
    inlinePlugins: [{ definition: benchPlugin }],
    enable: ['bench'],
    runWorkers: false,
    taskThreads: 1,
  });
  const health = await kernel.health();
  kernel.health = async () => health;
  const host = await createHost({
    kernel,
    logger,
    corsOrigins: ['https://panel.example.com'],
    rateLimit: { max: 10_000_000, timeWindow: '1 minute' },
  });
  const url = new URL(await host.listen({ host: '127.0.0.1', port: 0 }));
  const ports: Ports = { bare: (bare.server.address() as { port: number }).port, host: Number(url.port) };
  process.send?.(ports);
  process.on('message', async (message) => {
    if (answerCpuQuery(message)) return;
    await Promise.all([bare.close(), host.close()]);
    await kernel.stop();
    await db.drop();
    process.exit(0);
  });
}

function best(results: Measurement[]): Measurement {
  return results.reduce((a, b) => (b.rps > a.rps ? b : a));
}

async function main(): Promise<void> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: [...process.execArgv, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    // The server's stdout is its log, as in production; nobody reads it here.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ports = await new Promise<Ports>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ports));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const targets = {
    bare: `http://127.0.0.1:${ports.bare}/health`,
    host: `http://127.0.0.1:${ports.host}/health`,
    plugin: `http://127.0.0.1:${ports.host}/v1/bench`,
  };
  const runs: Record<keyof typeof targets, Measurement[]> = { bare: [], host: [], plugin: [] };
  try {
    for (const url of Object.values(targets)) await measure(child, url, { connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of Object.keys(targets) as Array<keyof typeof targets>) {
        const m = await measure(child, targets[key], { connections: CONNECTIONS, duration: DURATION });
        runs[key].push(m);
        console.log(
          `round ${round + 1} ${key.padEnd(6)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
            `  cpu ${m.cpuPerRequest.toFixed(0)} µs/req` +
            (m.non2xx || m.errors ? `  non2xx ${m.non2xx} errors ${m.errors}` : ''),
        );
      }
    }
  } finally {
    child.send('stop');
  }
  const bare = best(runs.bare);
  const host = best(runs.host);
  const plugin = best(runs.plugin);
  const pairedRatio = (key: 'host' | 'plugin'): number => median(runs[key].map((m, i) => m.rps / runs.bare[i]!.rps));
  const cpu = (key: keyof typeof targets): number => median(runs[key].map((m) => m.cpuPerRequest));
  const ratio = pairedRatio('host');
  const pluginRatio = pairedRatio('plugin');
  const cpuRatio = cpu('bare') / cpu('host');
  const clean = [...runs.bare, ...runs.host, ...runs.plugin].every((m) => m.non2xx === 0 && m.errors === 0);
  console.log(`\nbare Fastify /health  best ${bare.rps.toFixed(0)} req/s  cpu ${cpu('bare').toFixed(0)} µs/req`);
  console.log(
    `host /health          best ${host.rps.toFixed(0)} req/s  cpu ${cpu('host').toFixed(0)} µs/req` +
      `  ratio ${ratio.toFixed(2)}× (median of rounds; target ≥ ${TARGET}×), by cpu ${cpuRatio.toFixed(2)}×`,
  );
  console.log(
    `host plugin route     best ${plugin.rps.toFixed(0)} req/s  cpu ${cpu('plugin').toFixed(0)} µs/req  ratio ${pluginRatio.toFixed(2)}×`,
  );
  console.log(
    JSON.stringify({
      bench: 'gateway',
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      bareRps: Math.round(bare.rps),
      hostRps: Math.round(host.rps),
      pluginRouteRps: Math.round(plugin.rps),
      ratio: Number(ratio.toFixed(3)),
      cpuRatio: Number(cpuRatio.toFixed(3)),
      pluginRouteRatio: Number(pluginRatio.toFixed(3)),
      bareCpuMicrosPerRequest: Math.round(cpu('bare')),
      hostCpuMicrosPerRequest: Math.round(cpu('host')),
      pluginRouteCpuMicrosPerRequest: Math.round(cpu('plugin')),
      hostP99Ms: host.p99,
      bareP99Ms: bare.p99,
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
