/**
 * Boot: `hostplane start` (compiled, with the plugins the database has enabled) to the first 200 on
 * /health with the database already migrated, and idle RSS; baseline: a bare `node` HTTP server
 * spawned the same way in the same run. Targets: < 1.5 s, idle RSS < 150 MB (the lowest reading
 * over BENCH_IDLE_SECONDS, default 30, of doing nothing: V8 returns boot-time garbage only after
 * some quiet seconds; the figure 1.5 s after boot is printed too).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@hostplane/core';
import { median } from './support/measure.js';
import { freePort } from '@hostplane/testing/free-port';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function bootOnce(
  args: string[],
  env: NodeJS.ProcessEnv,
  idleSeconds = 0,
): Promise<{ ms: number; rss: number; early: number }> {
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
  const early = await rssMb(child.pid as number);
  // Idle: V8 gives back the garbage of booting only after some quiet seconds (its memory
  // reducer), so idle RSS is the lowest reading over `idleSeconds` of doing nothing.
  let rss = early;
  for (let waited = 0; waited < idleSeconds; waited += 2) {
    await new Promise((r) => setTimeout(r, 2000));
    rss = Math.min(rss, await rssMb(child.pid as number));
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { ms, rss, early };
}

/**
 * NGINX and PHP-FPM outlive a host that stops (sites stay up): end them when the bench is done,
 * or dies (synchronous, so it also runs from an exit hook).
 */
function stopWebServers(root: string): void {
  const run = join(root, 'run');
  let files: string[] = [];
  try {
    files = readdirSync(run).filter((f) => /^(nginx|php-fpm.*)\.pid$/.test(f));
  } catch {
    return;
  }
  for (const file of files) {
    try {
      const pid = Number(readFileSync(join(run, file), 'utf8').trim());
      if (pid > 1) process.kill(pid, 'SIGQUIT');
    } catch {
      // gone already
    }
  }
}

/** The database drivers' own MariaDB and PostgreSQL (enabled by the first run too) outlive the host the same way. */
function stopDatabaseServers(dataDir: string): void {
  for (const file of [join(dataDir, 'mariadb', 'run', 'mariadbd.pid'), join(dataDir, 'postgresql', 'data', 'postmaster.pid')]) {
    try {
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
      if (pid > 1) process.kill(pid, 'SIGQUIT');
    } catch {
      // not running
    }
  }
}

const db = await createTestDatabase('hostplane_bench');
// Its own data dir (NGINX workers must pass through it) and web server port: the first run
// enables every first-party plugin, so NGINX and PHP-FPM run as on a real install.
const dataDir = await mkdtemp(join(tmpdir(), 'hp-bench-boot-'));
await chmod(dataDir, 0o711);
process.once('exit', () => {
  stopWebServers(join(dataDir, 'webserver'));
  stopDatabaseServers(dataDir);
});
try {
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    HOSTPLANE_DATA_DIR: dataDir,
    HOSTPLANE_PORT: '0',
    HOSTPLANE_LOG_LEVEL: 'warn',
  };
  delete env.NODE_OPTIONS;
  const cli = `${REPO}host/dist/cli/main.js`;
  const hostArgs = [cli, 'start'];
  spawnSync(process.execPath, [cli, 'migrate', 'up'], { env, stdio: 'ignore' });
  spawnSync(process.execPath, [cli, 'plugins', 'config', 'set', 'webserver-nginx', `httpPort=${await freePort()}`], {
    env,
    stdio: 'ignore',
  });
  await bootOnce(hostArgs, env); // migrate + seed once: the database is warm from here on
  const bare = `require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port)});process.on('SIGTERM',()=>process.exit(0))`;
  const host: Array<{ ms: number; rss: number; early: number }> = [];
  const baseline: Array<{ ms: number; rss: number; early: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    // Idle memory from the first run of each (it takes IDLE_SECONDS); boot time from all.
    baseline.push(await bootOnce(['-e', bare], env, i === 0 ? IDLE_SECONDS : 0));
    host.push(await bootOnce(hostArgs, env, i === 0 ? IDLE_SECONDS : 0));
  }
  const hostMs = median(host.map((h) => h.ms));
  const bareMs = median(baseline.map((h) => h.ms));
  const hostRss = (host[0] as { rss: number }).rss;
  const bareRss = (baseline[0] as { rss: number }).rss;
  const hostEarlyRss = median(host.map((h) => h.early));
  console.log(
    `boot to first /health 200: hostplane ${hostMs.toFixed(0)} ms, bare node ${bareMs.toFixed(0)} ms, ratio ${(hostMs / bareMs).toFixed(2)}x (target < 1500 ms)`,
  );
  console.log(
    `idle RSS: hostplane ${hostRss.toFixed(1)} MB, bare node ${bareRss.toFixed(1)} MB, ratio ${(hostRss / bareRss).toFixed(2)}x (lowest over ${IDLE_SECONDS} s idle; target < 150 MB); 1.5 s after boot: ${hostEarlyRss.toFixed(1)} MB`,
  );
  console.log(
    JSON.stringify({
      bench: 'boot',
      runs: RUNS,
      hostMs,
      bareMs,
      ratio: hostMs / bareMs,
      hostRssMb: hostRss,
      hostRssMbAfterBoot: hostEarlyRss,
      bareRssMb: bareRss,
      rssRatio: hostRss / bareRss,
    }),
  );
} finally {
  stopWebServers(join(dataDir, 'webserver'));
  stopDatabaseServers(dataDir);
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
}
