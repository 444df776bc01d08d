/**
 * Website creation benchmark: `POST /v1/websites` from 10 concurrent clients (a customer with
 * one subscription creating sites in a burst, each request a new domain), against the same
 * host's `GET /health` with the same clients, same run, taking turns for several rounds.
 *
 * A real kernel and host with the auth, accounts and websites plugins on a fresh database, the
 * demo users seeded (alice gets a subscription with no site limit), in a child process so the
 * clients do not compete with the server for the event loop; callers sign in for real (Bearer
 * JWT). No web server plugin: what is measured is the API's create path
 * (route → service → domain rules → store → limits → reconciler enqueue), not provisioning,
 * which bench/websites.ts measures on real NGINX. BENCH_WORKERS=1 also runs the job workers
 * (the reconciler then finds no web server and revisits every waiting site each run).
 *
 * The clients are a small closed loop of fetch() calls rather than autocannon: every request
 * needs its own domain, and the target is a p95, which autocannon does not report.
 *
 * Target: p95 < 100 ms at 10 concurrent clients.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/websites-create.ts
 * Env: BENCH_DURATION (s per measurement, default 3), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 10), BENCH_WORKERS (default 0), BENCH_CPU_PROF=<dir> (V8 CPU profile of
 * the server).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import pg from 'pg';
import { startBenchHost } from './support/bench-host.js';
import { answerCpuQuery, median } from './support/measure.js';
import accounts from '../plugins/accounts/src/index.js';
import auth from '../plugins/auth/src/index.js';
import websites from '../plugins/websites/src/index.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP_SECONDS = 1;
const TARGET_P95_MS = 100;
const ADMIN = { email: 'admin@hostplane.test', password: 'demo-admin-password' };
const CUSTOMER = { email: 'alice@hostplane.test', password: 'demo-customer-password' };

interface Run {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
  firstFailure: string | null;
  cpuPerRequest: number;
  statementsPerRequest: number;
}

/** Child: boot kernel + host on a fresh database, seed, listen, report the port. */
async function serve(): Promise<void> {
  const bench = await startBenchHost({
    name: 'websites_create',
    plugins: [{ definition: auth }, { definition: accounts, version: '0.1.0' }, { definition: websites }],
    config: { auth: { routeRateLimitPerMinute: 1_000_000 } },
    // Off by default: with no web server every run of the reconciler would visit every site
    // still waiting, a load no host has (bench/websites.ts measures provisioning on real NGINX).
    runWorkers: process.env.BENCH_WORKERS === '1',
  });
  // Statements sent to PostgreSQL (the create path's, and the reconciler's when workers run):
  // the machine-independent figure beside the timings. Counted on pg's client, since each plugin
  // talks to PostgreSQL through a pool of its own role, not the kernel's knex.
  let statements = 0;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements += 1;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  process.send?.({ port: bench.port });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await bench.stop();
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  process.on('message', async (message) => {
    if (answerCpuQuery(message)) return;
    if (message === 'statements') {
      process.send?.({ statements });
      return;
    }
    if (message === 'sites') {
      const row = await bench.kernel.knex('plugin_websites.websites').count({ n: '*' }).first();
      process.send?.({ sites: Number((row as { n: string }).n) });
      return;
    }
    await stop();
  });
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message as never);
  });
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function login(base: string, who: { email: string; password: string }): Promise<string> {
  const res = await call(base, 'POST', '/v1/auth/login', who);
  if (res.status !== 200) throw new Error(`login ${who.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** `connections` closed loops sending `request(i)` for `seconds`; latencies in ms. */
async function load(
  child: ChildProcess,
  seconds: number,
  request: (i: number) => Promise<{ status: number; body: unknown }>,
  ok: number,
): Promise<Run> {
  const cpuBefore = await ask<{ cpuMicros: number }>(child, 'cpu');
  const statementsBefore = (await ask<{ statements: number }>(child, 'statements')).statements;
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        const res = await request(i);
        latencies.push(performance.now() - t0);
        if (res.status !== ok) {
          failures += 1;
          firstFailure ??= `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (await ask<{ cpuMicros: number }>(child, 'cpu')).cpuMicros - cpuBefore.cpuMicros;
  const statements = (await ask<{ statements: number }>(child, 'statements')).statements - statementsBefore;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Number(n.toFixed(1));
  return {
    requests: latencies.length,
    rps: round(latencies.length / elapsed),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    failures,
    firstFailure,
    cpuPerRequest: Math.round(cpu / Math.max(1, latencies.length)),
    statementsPerRequest: Number((statements / Math.max(1, latencies.length)).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const load0 = loadavg()[0]!;
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(process.env.BENCH_CPU_PROF
      ? { execArgv: [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] }
      : {}),
  });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const runs = { health: [] as Run[], create: [] as Run[] };
  let sites = 0;
  try {
    const admin = await login(base, ADMIN);
    const customer = await login(base, CUSTOMER);
    const pkg = await call(
      base,
      'POST',
      '/v1/packages',
      {
        name: 'Bench',
        currency: 'EUR',
        prices: { monthly: 100 },
        limits: { websites: null, domains: null },
        features: { php_versions: ['8.2'] },
      },
      admin,
    );
    if (pkg.status !== 201) throw new Error(`package: ${JSON.stringify(pkg.body)}`);
    const aliceId = ((await call(base, 'GET', '/v1/auth/me', undefined, customer)).body.user as { id: string }).id;
    const sub = await call(
      base,
      'POST',
      '/v1/subscriptions',
      { customerId: aliceId, packageId: pkg.body.id, billingCycle: 'monthly' },
      admin,
    );
    if (sub.status !== 201) throw new Error(`subscription: ${JSON.stringify(sub.body)}`);

    let phase = 0;
    const targets = {
      health: () => load(child, DURATION, () => call(base, 'GET', '/health'), 200),
      create: () => {
        phase += 1;
        const p = phase;
        // Alternating kinds: a PHP site also picks its PHP version from the package.
        return load(
          child,
          DURATION,
          (i) =>
            call(base, 'POST', '/v1/websites', { domain: `b${p}-${i}.example.test`, kind: i % 2 ? 'php' : 'static' }, customer),
          201,
        );
      },
    };
    await load(child, WARMUP_SECONDS, () => call(base, 'GET', '/health'), 200);
    await load(
      child,
      WARMUP_SECONDS,
      (i) => call(base, 'POST', '/v1/websites', { domain: `warm-${i}.example.test`, kind: 'static' }, customer),
      201,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['health', 'create'] as const) : (['create', 'health'] as const);
      for (const key of order) {
        const m = await targets[key]();
        runs[key].push(m);
        console.log(
          `round ${round + 1} ${key.padEnd(7)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p95 ${m.p95} ms` +
            `  p99 ${m.p99} ms  cpu ${m.cpuPerRequest} µs/req  ${m.statementsPerRequest} SQL/req` +
            (m.failures ? `  failures ${m.failures}: ${m.firstFailure}` : ''),
        );
      }
    }
    sites = (await ask<{ sites: number }>(child, 'sites')).sites;
  } finally {
    child.send('stop');
  }
  const p95 = Math.max(...runs.create.map((m) => m.p95));
  const p50 = median(runs.create.map((m) => m.p50));
  const rps = median(runs.create.map((m) => m.rps));
  const healthRps = median(runs.health.map((m) => m.rps));
  const ratio = median(runs.create.map((m, i) => m.rps / runs.health[i]!.rps));
  const healthP95 = median(runs.health.map((m) => m.p95));
  const cpu = median(runs.create.map((m) => m.cpuPerRequest));
  const healthCpu = median(runs.health.map((m) => m.cpuPerRequest));
  const statements = median(runs.create.map((m) => m.statementsPerRequest));
  const clean = [...runs.create, ...runs.health].every((m) => m.failures === 0);
  const load1 = loadavg()[0]!;
  console.log(
    `\nPOST /v1/websites  ${rps.toFixed(0)} req/s  p50 ${p50} ms  p95 ${p95} ms (worst round; target < ${TARGET_P95_MS})` +
      `  ${ratio.toFixed(3)}× /health req/s  cpu ${cpu} µs/req (${(cpu / healthCpu).toFixed(1)}× /health)  ${statements} SQL/req`,
  );
  console.log(`GET /health        ${healthRps.toFixed(0)} req/s  p95 ${healthP95} ms  cpu ${healthCpu} µs/req`);
  console.log(`${sites} sites created; load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after (2 cores)`);
  console.log(
    JSON.stringify({
      bench: 'websites-create',
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      createRps: Math.round(rps),
      createP50Ms: p50,
      createP95Ms: p95,
      createP99Ms: Math.max(...runs.create.map((m) => m.p99)),
      createCpuMicrosPerRequest: cpu,
      createStatementsPerRequest: statements,
      healthRps: Math.round(healthRps),
      healthP95Ms: healthP95,
      healthCpuMicrosPerRequest: healthCpu,
      ratioToHealth: Number(ratio.toFixed(3)),
      sites,
      loadAverage: [Number(load0.toFixed(1)), Number(load1.toFixed(1))],
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      targetP95Ms: TARGET_P95_MS,
      pass: p95 < TARGET_P95_MS && clean,
    }),
  );
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main();
}
