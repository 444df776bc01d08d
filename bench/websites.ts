/**
 * Websites benchmark: 1,000 sites created in one API burst and provisioned on real NGINX +
 * PHP-FPM (managed mode, a system user per site when root): time until all are `active`, the
 * number of checked NGINX reloads that took, and `nginx -t` time with 1,000 sites.
 *
 * Baselines from the same run: one site created alone (create → active), multiplied by the
 * count, is what applying them one by one would take; `nginx -t` with only the first site.
 *
 * Targets (2 cores): all active within 60 s; ≤ 20 reloads.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/websites.ts
 * Env: BENCH_SITES (default 1000), BENCH_PARALLEL (concurrent API requests, default 50).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import knexFactory from 'knex';
import { startTestHost } from '@hostplane/sdk/testing';
import accounts from '../plugins/accounts/src/index.js';
import nginx from '../plugins/webserver-nginx/src/index.js';
import websites from '../plugins/websites/src/index.js';
import { freePort } from '@hostplane/testing/free-port';

const SITES = Number(process.env.BENCH_SITES ?? 1000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 50);
const run = promisify(execFile);

async function nginxCheckMs(root: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const start = performance.now();
    await run('/usr/sbin/nginx', ['-t', '-q', '-p', root, '-c', join(root, 'nginx', 'nginx.conf')]);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[1] as number;
}

const root = await mkdtemp(join(tmpdir(), 'hp-bench-sites-'));
const port = await freePort();
const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }],
  config: { 'webserver-nginx': { root, httpPort: port } },
});
const sql = knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 2 } });
const [admin] = (await sql('hostplane.users')
  .insert({ email: 'bench-admin@example.test', name: 'Admin', role: 'super_admin' })
  .returning('id')) as Array<{ id: string }>;
const [customer] = (await sql('hostplane.users')
  .insert({ email: 'bench-customer@example.test', name: 'Customer', role: 'customer', parent_id: admin?.id })
  .returning('id')) as Array<{ id: string }>;
const adminHeaders = host.headersFor('super_admin', { userId: admin?.id as string });
const call = async (method: string, url: string, payload?: unknown) => {
  const res = await host.inject({ method, url, headers: adminHeaders, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};
const pkg = await call('POST', '/v1/packages', {
  name: 'Bench',
  currency: 'EUR',
  prices: { monthly: 100 },
  limits: { websites: SITES + 10, domains: SITES + 10 },
  features: { php_versions: ['8.2'] },
});
const sub = await call('POST', '/v1/subscriptions', {
  customerId: customer?.id,
  packageId: pkg.body.id,
  billingCycle: 'monthly',
});
const server = async () => (await call('GET', '/v1/websites/server')).body as { state: string; reloads: number; reason: string };
if ((await server()).state !== 'ready') throw new Error(`the web server is not ready: ${(await server()).reason}`);

async function allActive(expected: number, timeoutMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    const [row] = (await sql('plugin_websites.websites')
      .where({ status: 'active' })
      .whereRaw('applied_generation >= generation')
      .count({ n: '*' })) as Array<{ n: string }>;
    if (Number(row?.n) >= expected) return performance.now() - start;
    const [err] = (await sql('plugin_websites.websites').where({ status: 'error' }).count({ n: '*' })) as Array<{ n: string }>;
    if (Number(err?.n) > 0) throw new Error(`${err?.n} sites in error`);
    if (performance.now() - start > timeoutMs) throw new Error(`only ${row?.n}/${expected} active after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const create = (i: number) =>
  call('POST', '/v1/websites', {
    domain: `bench-${i}.example.test`,
    kind: i % 2 ? 'php' : 'static',
    subscriptionId: sub.body.id,
  });

// Baseline: one site alone, create → active.
const oneStart = performance.now();
const first = await create(0);
if (first.status !== 201) throw new Error(JSON.stringify(first.body));
await allActive(1, 30_000);
const singleMs = performance.now() - oneStart;
const checkOneMs = await nginxCheckMs(root);
const reloadsBefore = (await server()).reloads;

// The burst.
const burstStart = performance.now();
let next = 1;
const workers = Array.from({ length: PARALLEL }, async () => {
  while (next < SITES) {
    const i = next;
    next += 1;
    const res = await create(i);
    if (res.status !== 201) throw new Error(`create ${i}: ${JSON.stringify(res.body)}`);
  }
});
await Promise.all(workers);
const acceptedMs = performance.now() - burstStart;
await allActive(SITES, 300_000);
const activeMs = performance.now() - burstStart;
const reloads = (await server()).reloads - reloadsBefore;
const checkAllMs = await nginxCheckMs(root);

const result = {
  bench: 'websites',
  sites: SITES,
  acceptedSeconds: +(acceptedMs / 1000).toFixed(2),
  allActiveSeconds: +(activeMs / 1000).toFixed(2),
  reloads,
  singleSiteSeconds: +(singleMs / 1000).toFixed(3),
  speedupVsOneByOne: +((singleMs * (SITES - 1)) / activeMs).toFixed(1),
  nginxTestMs1: +checkOneMs.toFixed(1),
  nginxTestMsAll: +checkAllMs.toFixed(1),
  nginxTestRatio: +(checkAllMs / checkOneMs).toFixed(2),
  targets: { allActiveSeconds: 60, reloads: 20 },
  pass: activeMs <= 60_000 && reloads <= 20,
};
console.log(`${SITES} sites accepted by the API in ${result.acceptedSeconds} s, all active after ${result.allActiveSeconds} s`);
console.log(`checked reloads during the burst: ${reloads} (target ≤ 20)`);
console.log(
  `one site alone: ${result.singleSiteSeconds} s create → active; the burst is ${result.speedupVsOneByOne}× faster than one by one`,
);
console.log(
  `nginx -t: ${result.nginxTestMs1} ms with 1 site, ${result.nginxTestMsAll} ms with ${SITES} (${result.nginxTestRatio}×)`,
);

for (const line of host.logs().filter((l) => l.msg === 'web server batch done' || l.msg === 'websites reconciled')) {
  const { msg, time, ...rest } = line as Record<string, unknown>;
  void time;
  console.log(
    `${msg}: ${JSON.stringify(Object.fromEntries(Object.entries(rest).filter(([k]) => !['level', 'pid', 'hostname', 'plugin'].includes(k))))}`,
  );
}

// Clean up through the product: delete every site (removes users, pools, trees), then stop.
await sql('plugin_websites.websites')
  .select('id')
  .then((rows: Array<{ id: string }>) => Promise.all(rows.map((r) => call('DELETE', `/v1/websites/${r.id}`))));
for (let i = 0; i < 600; i += 1) {
  const [row] = (await sql('plugin_websites.websites').count({ n: '*' })) as Array<{ n: string }>;
  if (Number(row?.n) === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
await sql.destroy();
// NGINX and PHP-FPM outlive a host that stops; disabling the plugin ends them.
await host.kernel.disable('webserver-nginx');
await host.close();
await rm(root, { recursive: true, force: true });
console.log(JSON.stringify(result));
