/**
 * Auth benchmark: authenticated `GET /v1/auth/me` (JWT verify + one session query joined with
 * the user's status + permissions) against the same host's `GET /health` (one `select 1` and
 * the plugin list), same autocannon settings, same run, taking turns for several rounds. Also
 * the median login time, which the password hash (argon2id) dominates, as intended.
 *
 * A real kernel and host with the auth plugin on a fresh database, demo users seeded, run in a
 * child process so autocannon does not compete with the server for the event loop.
 *
 * Target: /me ≥ 0.7× /health (median of the per-round ratios).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/auth.ts
 * Env: BENCH_DURATION (s per measurement, default 3), BENCH_ROUNDS (default 5),
 * BENCH_CONNECTIONS (default 32), BENCH_LOGINS (default 15).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBenchHost } from './support/bench-host.js';
import { answerCpuQuery, measure, median, type Measurement } from './support/measure.js';
import auth from '../plugins/auth/src/index.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 15);
// Both routes are warmed (JIT, pool, prepared statements) before anything is counted.
const WARMUP_SECONDS = 2;
const TARGET = 0.7;
const USER = { email: 'alice@hostplane.test', password: 'demo-customer-password' };

/** Child: boot kernel + host on a fresh database, seed, listen, report the port. */
async function serve(): Promise<void> {
  const bench = await startBenchHost({
    name: 'auth',
    plugins: [{ definition: auth }],
    config: { auth: { routeRateLimitPerMinute: 1_000_000 } },
  });
  process.send?.({ port: bench.port });
  process.on('message', async (message) => {
    if (answerCpuQuery(message)) return;
    await bench.stop();
    process.exit(0);
  });
}

async function login(base: string): Promise<{ ms: number; accessToken: string }> {
  const started = performance.now();
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(USER),
  });
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string };
  return { ms, accessToken: body.accessToken };
}

async function main(): Promise<void> {
  const started = performance.now();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_PROFILE=dir writes a V8 CPU profile of the server there.
    ...(process.env.BENCH_PROFILE
      ? { execArgv: [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] }
      : {}),
  });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const runs: { health: Measurement[]; me: Measurement[] } = { health: [], me: [] };
  let loginMs: number[] = [];
  try {
    const logins = [];
    for (let i = 0; i < LOGINS; i++) logins.push(await login(base));
    loginMs = logins.map((l) => l.ms);
    const token = logins.at(-1)!.accessToken;
    const targets = {
      health: { url: `${base}/health`, headers: {} },
      me: { url: `${base}/v1/auth/me`, headers: { authorization: `Bearer ${token}` } },
    };
    for (const t of [...Object.values(targets), ...Object.values(targets)])
      await measure(child, t.url, { headers: t.headers, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always inherits the other's aftermath.
      const order = round % 2 === 0 ? (['health', 'me'] as const) : (['me', 'health'] as const);
      for (const key of order) {
        const m = await measure(child, targets[key].url, {
          headers: targets[key].headers,
          connections: CONNECTIONS,
          duration: DURATION,
        });
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
  const bestRps = (ms: Measurement[]) => Math.max(...ms.map((m) => m.rps));
  const ratio = median(runs.me.map((m, i) => m.rps / runs.health[i]!.rps));
  const cpu = (ms: Measurement[]) => median(ms.map((m) => m.cpuPerRequest));
  // Server CPU per request is what other processes on the machine disturb least.
  const cpuRatio = cpu(runs.health) / cpu(runs.me);
  const clean = [...runs.health, ...runs.me].every((m) => m.non2xx === 0 && m.errors === 0);
  const loginMedian = median(loginMs);
  console.log(`\nGET /health       best ${bestRps(runs.health).toFixed(0)} req/s  cpu ${cpu(runs.health).toFixed(0)} µs/req`);
  console.log(
    `GET /v1/auth/me   best ${bestRps(runs.me).toFixed(0)} req/s  cpu ${cpu(runs.me).toFixed(0)} µs/req` +
      `  ratio ${ratio.toFixed(2)}× (median of rounds; target ≥ ${TARGET}×), by server cpu ${cpuRatio.toFixed(2)}×`,
  );
  console.log(`POST /v1/auth/login  median ${loginMedian.toFixed(1)} ms over ${loginMs.length} (argon2id verify dominates)`);
  console.log(
    JSON.stringify({
      bench: 'auth',
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      healthRps: Math.round(bestRps(runs.health)),
      meRps: Math.round(bestRps(runs.me)),
      ratio: Number(ratio.toFixed(3)),
      cpuRatio: Number(cpuRatio.toFixed(3)),
      healthCpuMicrosPerRequest: Math.round(cpu(runs.health)),
      meCpuMicrosPerRequest: Math.round(cpu(runs.me)),
      meP99Ms: Math.max(...runs.me.map((m) => m.p99)),
      loginMedianMs: Number(loginMedian.toFixed(1)),
      loginMinMs: Number(Math.min(...loginMs).toFixed(1)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
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
