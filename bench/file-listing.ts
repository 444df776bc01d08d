/**
 * File manager listing benchmark: `GET /v1/websites/:id/files?path=big` on a folder of 10,000
 * files of a real site (real NGINX driver: the listing runs in a process started as the site's
 * system user, never as root), through the full API path in-process (`inject`), sequentially.
 *
 * Baseline, same folder, same run: the same listing done directly by this process as root
 * (`readdir` + `lstat` of every entry), which is the floor any implementation pays; the ratio
 * says what running it as the site user and through the API costs on top.
 *
 * Target (issue 13): p95 < 200 ms.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/file-listing.ts
 * Env: BENCH_FILES (default 10000), BENCH_REQUESTS (default 50).
 */
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { startTestHost } from '@hostplane/sdk/testing';
import { freePort } from '@hostplane/testing/free-port';
import accounts from '../plugins/accounts/src/index.js';
import nginx from '../plugins/webserver-nginx/src/index.js';
import websites from '../plugins/websites/src/index.js';

const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const TARGET_P95_MS = 200;

const root = await mkdtemp(join(tmpdir(), 'hp-bench-files-'));
const port = await freePort();
const host = await startTestHost({
  plugins: [{ definition: accounts, version: '0.1.0' }, websites, { definition: nginx, version: '0.1.0' }],
  config: { 'webserver-nginx': { root, httpPort: port, workerProcesses: 1 } },
});
const sql = knexFactory({ client: 'pg', connection: host.databaseUrl, pool: { min: 0, max: 2 } });
const [admin] = (await sql('hostplane.users')
  .insert({ email: 'bench-admin@example.test', name: 'Admin', role: 'super_admin' })
  .returning('id')) as Array<{ id: string }>;
const [customer] = (await sql('hostplane.users')
  .insert({ email: 'bench-customer@example.test', name: 'Customer', role: 'customer', parent_id: admin?.id })
  .returning('id')) as Array<{ id: string }>;
const headersOf = (role: 'super_admin' | 'customer', userId: string) => host.headersFor(role, { userId });
const call = async (method: string, url: string, payload?: unknown, headers = headersOf('super_admin', admin!.id)) => {
  const res = await host.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};
const pkg = await call('POST', '/v1/packages', {
  name: 'Bench',
  currency: 'EUR',
  prices: { monthly: 100 },
  limits: { websites: 5, domains: 5 },
  features: { php_versions: ['8.2'] },
});
const sub = await call('POST', '/v1/subscriptions', {
  customerId: customer!.id,
  packageId: pkg.body.id,
  billingCycle: 'monthly',
});
const made = await call('POST', '/v1/websites', {
  domain: 'files-bench.example.test',
  kind: 'static',
  subscriptionId: sub.body.id,
});
if (made.status !== 201) throw new Error(JSON.stringify(made.body));
let site: { id: string; documentRoot: string; status: string } | undefined;
for (let i = 0; i < 600 && site?.status !== 'active'; i += 1) {
  site = (await call('GET', `/v1/websites/${made.body.id}`)).body;
  if (site?.status !== 'active') await new Promise((r) => setTimeout(r, 100));
}
if (site?.status !== 'active') throw new Error(`the site did not go live: ${JSON.stringify(site)}`);

// The folder, owned by the site's user as an upload would leave it.
const folder = join(site.documentRoot, 'big');
const owner = await lstat(site.documentRoot);
await mkdir(folder);
await chown(folder, owner.uid, owner.gid);
for (let i = 0; i < FILES; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, FILES - i) }, async (_, j) => {
      const file = join(folder, `file-${String(i + j).padStart(5, '0')}.html`);
      await writeFile(file, `<p>${i + j}</p>`);
      await chown(file, owner.uid, owner.gid);
    }),
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const customerHeaders = headersOf('customer', customer!.id);
const url = `/v1/websites/${site.id}/files?path=big`;
const check = await call('GET', url, undefined, customerHeaders);
if (check.status !== 200 || check.body.entries.length !== FILES)
  throw new Error(`listing: ${check.status} ${JSON.stringify(check.body).slice(0, 300)}`);

const api: number[] = [];
const direct: number[] = [];
for (let i = 0; i < REQUESTS; i += 1) {
  // Taking turns, so both sides see the same machine.
  let start = performance.now();
  const res = await host.inject({ method: 'GET', url, headers: customerHeaders });
  if (res.statusCode !== 200) throw new Error(`listing ${i}: ${res.statusCode}`);
  api.push(performance.now() - start);
  start = performance.now();
  const names = await readdir(folder);
  await Promise.all(names.map((n) => lstat(join(folder, n))));
  direct.push(performance.now() - start);
}

const result = {
  bench: 'file-listing',
  files: FILES,
  requests: REQUESTS,
  apiP50Ms: +percentile(api, 50).toFixed(1),
  apiP95Ms: +percentile(api, 95).toFixed(1),
  directP50Ms: +percentile(direct, 50).toFixed(1),
  directP95Ms: +percentile(direct, 95).toFixed(1),
  p50RatioToDirect: +(percentile(api, 50) / percentile(direct, 50)).toFixed(2),
  responseBytes: Buffer.byteLength(JSON.stringify(check.body)),
  target: { apiP95Ms: TARGET_P95_MS },
  pass: percentile(api, 95) < TARGET_P95_MS,
};
console.log(
  `listing a folder of ${FILES} files through the API as the site user: p50 ${result.apiP50Ms} ms, p95 ${result.apiP95Ms} ms (target < ${TARGET_P95_MS})`,
);
console.log(
  `the same listing directly as root: p50 ${result.directP50Ms} ms, p95 ${result.directP95Ms} ms; the API costs ${result.p50RatioToDirect}× that`,
);

await call('DELETE', `/v1/websites/${site.id}`);
for (let i = 0; i < 300; i += 1) {
  const [row] = (await sql('plugin_websites.websites').count({ n: '*' })) as Array<{ n: string }>;
  if (Number(row?.n) === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
await sql.destroy();
await host.kernel.disable('webserver-nginx');
await host.close();
await rm(root, { recursive: true, force: true });
console.log(JSON.stringify(result));
