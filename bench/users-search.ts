/**
 * Users search benchmark: `GET /v1/users?search=…` on 100,000 users, as an admin (whole table)
 * and as a reseller (its subtree of 2,000 customers), each with a selective term (a piece of an
 * email: a handful of hits) and a common one (a surname: 2% of all users), against the same
 * host's `GET /health`, same autocannon settings, same run, taking turns for several rounds.
 *
 * A real kernel and host with the auth and accounts plugins on a fresh database, the demo users
 * seeded, then 100,000 customers under 50 resellers in one INSERT … SELECT generate_series
 * (the demo reseller gets 2,000 of them), in a child process so autocannon does not compete
 * with the server for the event loop. Callers sign in for real (Bearer JWT, session lookup).
 * Before measuring, the server EXPLAIN ANALYZEs the exact SQL each search runs (printed) and the
 * bench fails when a plan reads the whole users table.
 *
 * Target: p99 < 20 ms for every search (at BENCH_CONNECTIONS concurrent connections: latency
 * is what is promised, so the load is a busy panel's, not a saturating flood).
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/users-search.ts
 * Env: BENCH_USERS (default 100000), BENCH_DURATION (s per measurement, default 3),
 * BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 4).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBenchHost } from './support/bench-host.js';
import { answerCpuQuery, measure, median, type Measurement } from './support/measure.js';
import type { Knex } from 'knex';
import accounts from '../plugins/accounts/src/index.js';
import auth from '../plugins/auth/src/index.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const WARMUP_SECONDS = 2;
const TARGET_P99_MS = 20;
const RESELLERS = 50;
const ADMIN = { email: 'admin@hostplane.test', password: 'demo-admin-password' };
const RESELLER = { email: 'reseller@hostplane.test', password: 'demo-reseller-password' };

const FIRST = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Dennis',
  'Margaret',
  'Ken',
  'Frances',
  'Edsger',
  'Radia',
  'Donald',
  'Hedy',
  'John',
  'Karen',
  'Niklaus',
  'Shafi',
  'Tim',
  'Anita',
  'Guido',
];
const LAST = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Liskov',
  'Ritchie',
  'Hamilton',
  'Thompson',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Knuth',
  'Lamarr',
  'McCarthy',
  'Jones',
  'Wirth',
  'Goldwasser',
  'Berners',
  'Borg',
  'Rossum',
  'Garcia',
  'Nakamura',
  'Okafor',
  'Svensson',
  'Kowalski',
  'Moreau',
  'Rossi',
  'Novak',
  'Silva',
  'Haddad',
  'Jensen',
  'Murphy',
  'Schmidt',
  'Yilmaz',
  'Ivanova',
  'Fischer',
  'Dubois',
  'Costa',
  'Petrov',
  'Horvat',
  'Lindqvist',
  'Andersen',
  'Weber',
  'Kovacs',
  'Popescu',
  'Nielsen',
  'Bakker',
  'Keller',
  'Varga',
  'Santos',
];

/** The searches measured: who asks, and for what. */
const SEARCHES = [
  { key: 'admin-email', who: 'admin', search: 'user4711', what: 'admin, a piece of an email' },
  { key: 'admin-name', who: 'admin', search: 'garcia', what: 'admin, a surname (2% of all users)' },
  { key: 'reseller-email', who: 'reseller', search: 'user4750', what: 'reseller, a piece of an email' },
  { key: 'reseller-name', who: 'reseller', search: 'garcia', what: 'reseller, a surname' },
] as const;

/** 100,000 customers in one statement: names and parents follow i, so the hit counts are known. */
async function seedUsers(knex: Knex): Promise<void> {
  const admin = (await knex('hostplane.users').where({ email: ADMIN.email }).first('id')) as { id: string };
  const demoReseller = (await knex('hostplane.users').where({ email: RESELLER.email }).first('id')) as { id: string };
  await knex.raw(
    `insert into hostplane.users (email, name, role, parent_id)
     select 'reseller' || r || '@resellers.test', 'Reseller ' || r, 'reseller', ?::uuid from generate_series(1, ?) r`,
    [admin.id, RESELLERS - 1],
  );
  // Reseller slot 0 is the demo reseller (whose login the bench uses), the others the bulk ones.
  await knex.raw(
    `with sellers as (
       select ?::uuid as id, 0 as slot
       union all
       select id, row_number() over (order by email)::int from hostplane.users where email like '%@resellers.test'
     )
     insert into hostplane.users (email, name, role, parent_id, created_at)
     select 'user' || i || '@' || (array['example.com', 'mail.test', 'hostco.net', 'webmail.org'])[1 + i % 4],
            (?::text[])[1 + i % ?] || ' ' || (?::text[])[1 + (i / ?) % ?],
            'customer', s.id, now() - make_interval(secs => ? - i)
       from generate_series(1, ?) i join sellers s on s.slot = i % ?`,
    [demoReseller.id, FIRST, FIRST.length, LAST, FIRST.length, LAST.length, USERS, USERS, RESELLERS],
  );
  // What autovacuum would have done by the time anyone searches: statistics, and the GIN
  // indexes' pending lists merged (a bulk insert leaves them long, and every search reads them).
  await knex.raw('vacuum analyze hostplane.users');
  await knex.raw('vacuum analyze hostplane.user_tree');
}

/** EXPLAIN ANALYZE the users-list SQL that `run` makes the server execute. */
async function explainUsersList(knex: Knex, run: () => Promise<void>): Promise<string[]> {
  const seen: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const listen = (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (q.sql.includes('"hostplane"."users" as "u"')) seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
  };
  knex.on('query', listen);
  try {
    await run();
  } finally {
    knex.removeListener('query', listen);
  }
  const plans: string[] = [];
  for (const q of seen) {
    // The event shows pg's native form ($1 …); knex.raw wants `?` with bindings in order.
    const ordered: Knex.RawBinding[] = [];
    const sql = q.sql.replace(/\$(\d+)/g, (_m, n: string) => {
      ordered.push(q.bindings[Number(n) - 1] as Knex.RawBinding);
      return '?';
    });
    const result = await knex.raw<{ rows: Array<{ 'QUERY PLAN': string }> }>(
      `explain (analyze, costs off, timing on) ${sql}`,
      ordered,
    );
    plans.push(result.rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  return plans;
}

/** Child: boot kernel + host on a fresh database, seed, listen, report the port. */
async function serve(): Promise<void> {
  let seedSeconds = 0;
  const bench = await startBenchHost({
    name: 'users',
    plugins: [{ definition: auth }, { definition: accounts }],
    config: { auth: { routeRateLimitPerMinute: 1_000_000 } },
    prepare: async (kernel) => {
      const seeding = performance.now();
      await seedUsers(kernel.knex);
      seedSeconds = (performance.now() - seeding) / 1000;
    },
  });
  const { kernel } = bench;
  const total = Number(((await kernel.knex('hostplane.users').count({ n: '*' }).first()) as { n: string }).n);
  process.send?.({ port: bench.port, users: total, seedSeconds });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await bench.stop();
    process.exit(0);
  };
  // The parent may die without saying stop: its channel closing is the signal too.
  process.on('disconnect', () => void stop());
  process.on('message', async (message: { explain?: { url: string; authorization: string } } | string) => {
    if (answerCpuQuery(message)) return;
    if (typeof message === 'object' && message.explain) {
      const { url: target, authorization } = message.explain;
      const plans = await explainUsersList(kernel.knex, async () => {
        await fetch(target, { headers: { authorization } });
      });
      process.send?.({ plans });
      return;
    }
    await stop();
  });
}

async function login(base: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (res.status !== 200) throw new Error(`login ${who.email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message as never);
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; users: number; seedSeconds: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; users: number; seedSeconds: number }));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${ready.port}`;
  console.log(`${ready.users} users in the table (bulk insert of ${USERS}: ${ready.seedSeconds.toFixed(1)} s)`);
  const runs = new Map<string, Measurement[]>();
  const plansOk: Record<string, boolean> = {};
  const hits: Record<string, number> = {};
  try {
    const bearer = {
      admin: `Bearer ${await login(base, ADMIN)}`,
      reseller: `Bearer ${await login(base, RESELLER)}`,
    };
    const targets = [
      { key: 'health', url: `${base}/health`, headers: {} as Record<string, string> },
      ...SEARCHES.map((s) => ({
        key: s.key,
        url: `${base}/v1/users?search=${encodeURIComponent(s.search)}`,
        headers: { authorization: bearer[s.who] },
      })),
    ];
    for (const s of SEARCHES) {
      const target = targets.find((t) => t.key === s.key)!;
      const res = await fetch(target.url, { headers: target.headers });
      const body = (await res.json()) as { total: number; items: unknown[] };
      if (res.status !== 200) throw new Error(`${s.key}: ${res.status} ${JSON.stringify(body)}`);
      hits[s.key] = body.total;
      const { plans } = await ask<{ plans: string[] }>(child, {
        explain: { url: target.url, authorization: target.headers.authorization! },
      });
      // No query may read the whole table: the admin's count finds its matches through the
      // trigram indexes, its page may walk (created_at, id) and stop early; a reseller's start
      // from the trigram indexes or its subtree in the users closure table.
      plansOk[s.key] = plans.length === 2 && !plans.some((p) => /Seq Scan on users\b/.test(p));
      if (s.who === 'admin') plansOk[s.key] &&= plans.some((p) => /^Aggregate/.test(p) && /users_(email|name)_trgm_idx/.test(p));
      console.log(`\n-- ${s.what}: ${body.total} hits; plans of its ${plans.length} queries:`);
      for (const plan of plans) console.log(plan.replace(/^/gm, '   '));
    }
    for (const t of targets)
      await measure(child, t.url, { headers: t.headers, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const m = await measure(child, t.url, { headers: t.headers, connections: CONNECTIONS, duration: DURATION });
        runs.set(t.key, [...(runs.get(t.key) ?? []), m]);
        console.log(
          `round ${round + 1} ${t.key.padEnd(15)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
            (m.non2xx || m.errors ? `  non2xx ${m.non2xx} errors ${m.errors}` : ''),
        );
      }
    }
  } finally {
    child.send('stop');
  }
  const health = runs.get('health')!;
  const summary: Record<string, unknown> = {};
  let pass = true;
  console.log('');
  for (const s of SEARCHES) {
    const ms = runs.get(s.key)!;
    const ratio = median(ms.map((m, i) => m.rps / health[i]!.rps));
    const p50 = median(ms.map((m) => m.p50));
    const p99 = Math.max(...ms.map((m) => m.p99));
    const rps = median(ms.map((m) => m.rps));
    const clean = ms.every((m) => m.non2xx === 0 && m.errors === 0);
    pass &&= p99 < TARGET_P99_MS && clean && plansOk[s.key] === true;
    summary[s.key] = { hits: hits[s.key], rps: Math.round(rps), p50, p99, ratioToHealth: Number(ratio.toFixed(3)) };
    console.log(
      `${s.what.padEnd(46)} ${rps.toFixed(0).padStart(6)} req/s  p50 ${p50} ms  p99 ${p99} ms (worst round; target < ${TARGET_P99_MS})` +
        `  ${ratio.toFixed(2)}× /health${plansOk[s.key] ? '' : '  A PLAN SCANS THE WHOLE TABLE'}`,
    );
  }
  const healthRps = median(health.map((m) => m.rps));
  console.log(`GET /health ${healthRps.toFixed(0)} req/s  p50 ${median(health.map((m) => m.p50))} ms`);
  console.log(
    JSON.stringify({
      bench: 'users-search',
      users: ready.users,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      rounds: ROUNDS,
      healthRps: Math.round(healthRps),
      ...summary,
      seedSeconds: Number(ready.seedSeconds.toFixed(1)),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      targetP99Ms: TARGET_P99_MS,
      pass,
    }),
  );
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main();
}
