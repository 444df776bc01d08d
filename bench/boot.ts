/**
 * Boot: `hostplane start` (compiled, with the plugins the database has enabled) to the first 200 on
 * /health with the database already migrated, and idle RSS; baseline: a bare `node` HTTP server
 * spawned the same way in the same run. Targets: < 1.5 s, idle RSS < 150 MB.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@hostplane/core';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function bootOnce(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let base: string | undefined;
  for (;;) {
    base ??= /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (base) {
      const ok = await fetch(`${base}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
    }
    if (performance.now() - started > 30_000) throw new Error(`no 200 within 30 s: ${out}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - started;
  await new Promise((r) => setTimeout(r, 1500));
  const rss = await rssMb(child.pid as number);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { ms, rss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const db = await createTestDatabase('hostplane_bench');
try {
  const env = { ...process.env, DATABASE_URL: db.url, HOSTPLANE_PORT: '0', HOSTPLANE_LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  const hostArgs = [`${REPO}host/dist/cli/main.js`, 'start'];
  await bootOnce(hostArgs, env); // migrate + seed once: the database is warm from here on
  const bare = `require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port)});process.on('SIGTERM',()=>process.exit(0))`;
  const host: Array<{ ms: number; rss: number }> = [];
  const baseline: Array<{ ms: number; rss: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await bootOnce(['-e', bare], env));
    host.push(await bootOnce(hostArgs, env));
  }
  const hostMs = median(host.map((h) => h.ms));
  const bareMs = median(baseline.map((h) => h.ms));
  const hostRss = median(host.map((h) => h.rss));
  const bareRss = median(baseline.map((h) => h.rss));
  console.log(
    `boot to first /health 200: hostplane ${hostMs.toFixed(0)} ms, bare node ${bareMs.toFixed(0)} ms, ratio ${(hostMs / bareMs).toFixed(2)}x (target < 1500 ms)`,
  );
  console.log(
    `idle RSS: hostplane ${hostRss.toFixed(1)} MB, bare node ${bareRss.toFixed(1)} MB, ratio ${(hostRss / bareRss).toFixed(2)}x (target < 150 MB)`,
  );
  console.log(
    JSON.stringify({
      bench: 'boot',
      runs: RUNS,
      hostMs,
      bareMs,
      ratio: hostMs / bareMs,
      hostRssMb: hostRss,
      bareRssMb: bareRss,
      rssRatio: hostRss / bareRss,
    }),
  );
} finally {
  await db.drop();
}
