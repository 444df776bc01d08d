/**
 * Billing webhooks benchmark: Stripe-signed `payment_intent.succeeded` events, each with its own
 * event id (verified on the raw body, stored once, a job queued in the same transaction), posted
 * to `POST /v1/billing/webhooks/stripe`, against the same host's `GET /health` (one `select 1`)
 * as the baseline, same autocannon settings, same run, taking turns for several rounds. The
 * host's workers run too (they apply the events: unknown invoices, left alone), as in a host.
 *
 * Reports the webhook's p99 from receipt to 200 (target < 50 ms, issue 12) and its throughput
 * as a ratio to /health.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/billing-webhooks.ts
 * Env: BENCH_DURATION (s per measurement, default 3), BENCH_ROUNDS (default 3),
 * BENCH_CONNECTIONS (default 8: Stripe sends a few at a time, not hundreds).
 */
import { randomUUID } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Stripe from 'stripe';
import { startBenchHost } from './support/bench-host.js';
import { answerCpuQuery, measure, median, type Measurement } from './support/measure.js';
import accounts from '../plugins/accounts/src/index.js';
import billing from '../plugins/billing/src/index.js';
import manual from '../plugins/payment-manual/src/index.js';
import stripe from '../plugins/payment-stripe/src/index.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const WARMUP_SECONDS = 2;
/** The addresses Stripe sends webhooks from (docs.stripe.com/ips), taken in turn. */
const STRIPE_WEBHOOK_IPS = [
  '3.18.12.63',
  '3.130.192.231',
  '13.235.14.237',
  '13.235.122.149',
  '18.211.135.69',
  '35.154.171.200',
  '52.15.183.38',
  '54.88.130.119',
  '54.88.130.237',
  '54.187.174.169',
  '54.187.205.235',
  '54.187.216.72',
];
let sent = 0;
const TARGET_P99_MS = 50;
const SECRET = 'whsec_bench_secret';

async function serve(): Promise<void> {
  const bench = await startBenchHost({
    name: 'billing_webhooks',
    plugins: [
      { definition: accounts, version: '0.1.0' },
      { definition: manual, version: '0.1.0' },
      { definition: stripe, version: '0.1.0' },
      { definition: billing, version: '0.1.0' },
    ],
    // The API address is never called: receipt only verifies and stores.
    config: { 'payment-stripe': { secretKey: 'sk_test_bench', webhookSecret: SECRET, apiBase: 'http://127.0.0.1:9' } },
    runWorkers: true,
    // As in production behind the documented TLS proxy: Stripe's events come from its dozen
    // webhook addresses, each under the route's own limit (3,000 a minute per address).
    trustProxy: ['loopback'],
  });
  process.send?.({ port: bench.port });
  process.on('message', async (message) => {
    if (answerCpuQuery(message)) return;
    await bench.stop();
    process.exit(0);
  });
}

/** A Stripe-shaped event (about 2 KB, like a real PaymentIntent event), new id each time. */
function event(): string {
  const pi = `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  return JSON.stringify(
    {
      id: `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      object: 'event',
      api_version: '2026-11-18.endive',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: pi,
          object: 'payment_intent',
          amount: 2999,
          amount_capturable: 0,
          amount_received: 2999,
          capture_method: 'automatic',
          client_secret: `${pi}_secret_x`,
          confirmation_method: 'automatic',
          created: Math.floor(Date.now() / 1000),
          currency: 'eur',
          customer: 'cus_bench',
          description: 'INV-2026-00001',
          latest_charge: 'ch_bench',
          livemode: false,
          metadata: { invoice_id: randomUUID(), hostplane_issuer: 'platform' },
          payment_method: 'pm_bench',
          payment_method_types: ['card'],
          status: 'succeeded',
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'payment_intent.succeeded',
    },
    null,
    2,
  );
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { cpuMicros: number }).cpuMicros));
    child.send('cpu');
  });
}

/** Like measure(), with a freshly signed event per request. */
async function measureWebhooks(child: ChildProcess, url: string, duration: number): Promise<Measurement> {
  const before = await serverCpu(child);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const payload = event();
          return {
            ...request,
            body: payload,
            headers: {
              'content-type': 'application/json',
              'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
              'x-forwarded-for': STRIPE_WEBHOOK_IPS[sent++ % STRIPE_WEBHOOK_IPS.length]!,
            },
          };
        },
      },
    ],
  });
  const cpu = (await serverCpu(child)) - before;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const hook = `${base}/v1/billing/webhooks/stripe`;
  const runs: { health: Measurement[]; webhook: Measurement[] } = { health: [], webhook: [] };
  try {
    // One by hand first: a wrong setup would otherwise show as a fast stream of 400s.
    const payload = event();
    const first = await fetch(hook, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
      },
      body: payload,
    });
    if (first.status !== 200) throw new Error(`webhook answered ${first.status}: ${await first.text()}`);
    await measure(child, `${base}/health`, { connections: CONNECTIONS, duration: WARMUP_SECONDS });
    await measureWebhooks(child, hook, WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['health', 'webhook'] as const) : (['webhook', 'health'] as const);
      for (const key of order) {
        const m =
          key === 'health'
            ? await measure(child, `${base}/health`, { connections: CONNECTIONS, duration: DURATION })
            : await measureWebhooks(child, hook, DURATION);
        runs[key].push(m);
        console.log(
          `round ${round + 1} ${key.padEnd(7)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
            `  cpu ${m.cpuPerRequest.toFixed(0)} µs/req` +
            (m.non2xx || m.errors ? `  non2xx ${m.non2xx} errors ${m.errors}` : ''),
        );
      }
    }
  } finally {
    child.send('stop');
  }
  const best = (ms: Measurement[]) => Math.max(...ms.map((m) => m.rps));
  const ratio = median(runs.webhook.map((m, i) => m.rps / runs.health[i]!.rps));
  const p99 = Math.max(...runs.webhook.map((m) => m.p99));
  const healthP99 = Math.max(...runs.health.map((m) => m.p99));
  const clean = [...runs.health, ...runs.webhook].every((m) => m.non2xx === 0 && m.errors === 0);
  console.log(`\nGET /health                     best ${best(runs.health).toFixed(0)} req/s  p99 ${healthP99} ms`);
  console.log(
    `POST /v1/billing/webhooks/stripe best ${best(runs.webhook).toFixed(0)} req/s  p99 ${p99} ms (target < ${TARGET_P99_MS} ms)` +
      `  throughput ${ratio.toFixed(2)}× /health, p99 ${(p99 / Math.max(1, healthP99)).toFixed(2)}× /health's`,
  );
  console.log(
    JSON.stringify({
      bench: 'billing-webhooks',
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      healthRps: Math.round(best(runs.health)),
      webhookRps: Math.round(best(runs.webhook)),
      ratio: Number(ratio.toFixed(3)),
      webhookP99Ms: p99,
      healthP99Ms: healthP99,
      p99Ratio: Number((p99 / Math.max(1, healthP99)).toFixed(2)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      targetP99Ms: TARGET_P99_MS,
      pass: p99 < TARGET_P99_MS && clean,
    }),
  );
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main();
}
