/**
 * Panel benchmark: server render of the customer dashboard (the whole document: session check,
 * subscriptions with usage, websites, navigation — every API call in-process), and the
 * JavaScript the browser downloads for that page, gzipped.
 *
 * A real kernel + host (auth, accounts, hello, websites) on a fresh database; the customer owns
 * 50 websites (no web server: they stay provisioning, which the dashboard shows the same way).
 *
 * Targets: p95 < 50 ms; JS < 150 kB gzipped.
 *
 * Run: node --conditions=@hostplane/source --import tsx bench/panel.ts   (after `npm run build`)
 * Env: BENCH_REQUESTS (default 300), BENCH_WEBSITES (default 50).
 */
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startPanelHost } from '../panel/test/support/panel-host.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const WEBSITES = Number(process.env.BENCH_WEBSITES ?? 50);
const WARMUP = 50;
const TARGET_P95_MS = 50;
const TARGET_JS_KB = 150;

if (!existsSync(new URL('../panel/build/server/index.js', import.meta.url))) {
  console.log(JSON.stringify({ bench: 'panel', error: 'the panel is not built: npm run build' }));
  process.exit(1);
}

const host = await startPanelHost({ webServer: false, runWorkers: false });
try {
  const cookieOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  async function signIn(email: string, password: string): Promise<string> {
    const res = await fetch(`${host.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (!res.ok) throw new Error(`login ${email}: ${res.status}`);
    const body = (await res.json()) as { accessToken: string };
    return body.accessToken;
  }
  async function api(token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${host.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }

  // A package roomy enough for 50 sites, assigned to the customer.
  const admin = await signIn(host.logins.admin.email, host.logins.admin.password);
  const users = (await api(admin, 'GET', `/users?search=${encodeURIComponent(host.logins.alice.email)}`)) as {
    items: Array<{ id: string }>;
  };
  const pkg = await api(admin, 'POST', '/packages', {
    name: 'Bench',
    currency: 'EUR',
    prices: { monthly: 1000 },
    limits: { websites: WEBSITES + 10, domains: WEBSITES * 2 + 10 },
    features: { php_versions: ['8.2'] },
  });
  const sub = await api(admin, 'POST', '/subscriptions', {
    customerId: users.items[0]!.id,
    packageId: pkg.id,
    billingCycle: 'monthly',
    status: 'active',
  });
  const alice = await signIn(host.logins.alice.email, host.logins.alice.password);
  for (let i = 0; i < WEBSITES; i++) {
    await api(alice, 'POST', '/websites', { domain: `site-${i}.bench.example`, kind: 'php', subscriptionId: sub.id });
  }

  // The browser's way in: the panel's login form sets the session cookie.
  const form = new URLSearchParams({ email: host.logins.alice.email, password: host.logins.alice.password });
  const login = await fetch(`${host.url}/login`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { origin: host.url },
  });
  const cookie = cookieOf(login).replace(/; hp_panel_flash=[^;]*/, '');
  if (!cookie.includes('hp_session')) throw new Error(`panel login failed: ${login.status}`);

  const times: number[] = [];
  let html = '';
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(`${host.url}/`, { headers: { cookie } });
    html = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200 || !html.includes('Subscriptions')) throw new Error(`dashboard: ${res.status}`);
    if (i >= WARMUP) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;

  // Every module the page loads: modulepreload links and the imports of its inline scripts.
  const assets = new Set([...html.matchAll(/\/assets\/[\w.-]+\.js/g)].map((m) => m[0]));
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const asset of assets) {
    const body = Buffer.from(await (await fetch(`${host.url}${asset}`)).arrayBuffer());
    rawBytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  const jsKb = gzipBytes / 1024;
  const result = {
    bench: 'panel',
    websites: WEBSITES,
    requests: REQUESTS,
    renderMs: { p50: +pct(50).toFixed(2), p95: +pct(95).toFixed(2), p99: +pct(99).toFixed(2) },
    js: { files: assets.size, kB: +(rawBytes / 1024).toFixed(1), gzipKB: +jsKb.toFixed(1) },
    targets: { p95Ms: TARGET_P95_MS, gzipKB: TARGET_JS_KB },
    ok: pct(95) < TARGET_P95_MS && jsKb < TARGET_JS_KB,
  };
  console.log(`dashboard render: p50 ${result.renderMs.p50} ms, p95 ${result.renderMs.p95} ms (target < ${TARGET_P95_MS})`);
  console.log(`dashboard JavaScript: ${assets.size} files, ${result.js.gzipKB} kB gzipped (target < ${TARGET_JS_KB})`);
  console.log(JSON.stringify(result));
} finally {
  await host.close();
}
