/**
 * Process isolation benchmark. The same plugin package (bench/support/isolated/bench-iso) on
 * two hosts in one server process: loaded into the host (`in-process`), and in its own process
 * as its own user behind the route proxy (`process`), measured in turns in the same run.
 *
 * - Throughput: autocannon on the plugin's route, median of paired per-round ratios.
 * - Added latency: sequential requests on one keep-alive connection, p50 isolated − p50 in-process.
 * - Start: `kernel.enable()` of isolated copies of the plugin (each its own id, its own user and
 *   process), median; and each process's resident memory once started (from /proc).
 *
 * Targets: isolated ≥ 0.5× in-process req/s; p50 added < 1 ms; start < 300 ms; RSS < 60 MB each.
 *
 * Run (as root, after `npm run build`: the isolated runner is built JavaScript):
 *   node --conditions=@hostplane/source --import tsx bench/isolation.ts
 * Env: BENCH_DURATION (s, default 3), BENCH_ROUNDS (default 4), BENCH_CONNECTIONS (default 32),
 * BENCH_LATENCY_SAMPLES (default 2000), BENCH_STARTS (isolated starts measured, default 5).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel, createLogger, createTestDatabase, openDatabase, type IsolationMode } from '@hostplane/core';
import { createHost } from '../host/src/server/index.js';
import { linkSdkForDropIns } from '@hostplane/core';
import { measure, median, type Measurement } from './support/measure.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 2000);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const FIXTURE = fileURLToPath(new URL('./support/isolated/bench-iso/', import.meta.url));

interface Ready {
  ports: Record<IsolationMode, number>;
  starts: Array<{ ms: number; readyMs: number; rssMb: number; memory: ProcessMemory }>;
}

/** Per plugin id: spawn → set up, as the kernel logs it. */
const readyMs = new Map<string, number>();

async function bootHost(mode: IsolationMode, dropIns: string, dataDir: string, ids: string[]) {
  const db = await createTestDatabase('hostplane_bench_iso');
  // Warnings and the isolated plugins' "ready" lines (with the process's own start time).
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        // Only the lines read below are parsed: the host writes one per request, and parsing
        // each in this process (the server's) cost it more CPU than the proxy itself.
        if (!line.includes('"isolated plugin ready"') && !/"level":[4-6]0/.test(line)) continue;
        const entry = JSON.parse(line) as { msg?: string; plugin?: string; readyMs?: number; level?: number };
        if (entry.msg === 'isolated plugin ready' && entry.plugin) readyMs.set(entry.plugin, entry.readyMs ?? NaN);
        else if ((entry.level ?? 0) >= 40) process.stderr.write(`${line}\n`);
      }
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const kernel = await Kernel.boot({
    database: await openDatabase({ url: db.url, dataDir }),
    logger,
    discovery: { dropInDirs: [dropIns] },
    enable: ids,
    runWorkers: false,
    listen: false,
    taskThreads: 1,
    isolation: { dataDir: join(dataDir, `plugins-${mode}`), plugins: Object.fromEntries(ids.map((id) => [id, mode])) },
  });
  const health = await kernel.health();
  kernel.health = async () => health;
  const host = await createHost({ kernel, logger, rateLimit: { max: 10_000_000, timeWindow: '1 minute' } });
  const url = new URL(await host.listen({ host: '127.0.0.1', port: 0 }));
  return { kernel, host, db, port: Number(url.port) };
}

async function rssMbOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * What of a process's resident memory is its own. RSS counts every page it maps, including
 * the `node` binary's code that the host and every other plugin process map too (about 37 MB
 * of a plugin's RSS on Node 20); PSS shares such pages among the processes mapping them, and
 * USS (private pages) is what ending the process would give back.
 */
interface ProcessMemory {
  anonMb: number;
  fileMb: number;
  pssMb: number;
  ussMb: number;
}

async function memoryOf(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (text: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return {
    anonMb: kb(status, 'RssAnon') / 1024,
    fileMb: kb(status, 'RssFile') / 1024,
    pssMb: kb(rollup, 'Pss') / 1024,
    ussMb: (kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty')) / 1024,
  };
}

/** CPU (user + system) a process used so far, µs, from /proc (clock ticks of 10 ms). */
async function cpuMicrosOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function getJson<T>(port: number, path: string, agent?: Agent): Promise<T> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body) as T));
    }).on('error', reject);
  });
}

/** Child: both hosts, then isolated starts of copies of the plugin. */
async function serve(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'hostplane-bench-iso-'));
  const dropIns = join(work, 'drop-ins');
  await cp(FIXTURE, join(dropIns, 'bench-iso'), { recursive: true });
  // Copies under other ids, for the start measurements (each a plugin of its own).
  const copies = Array.from({ length: STARTS }, (_, i) => `bench-iso-${i + 1}`);
  for (const id of copies) {
    const dir = join(dropIns, id);
    await cp(FIXTURE, dir, { recursive: true });
    for (const file of ['package.json', 'index.js']) {
      const text = await readFile(join(dir, file), 'utf8');
      await writeFile(join(dir, file), text.replaceAll('bench-iso', id));
    }
  }
  // As `hostplane start`: drop-ins outside the install import the host's SDK.
  linkSdkForDropIns(dropIns);
  // The drop-in folder must be readable by the plugins' users (mkdtemp makes it 0700).
  const { chmod } = await import('node:fs/promises');
  await chmod(work, 0o755);
  const inProcess = await bootHost('in-process', dropIns, join(work, 'a'), ['bench-iso']);
  const isolated = await bootHost('process', dropIns, join(work, 'b'), ['bench-iso']);
  const starts: Ready['starts'] = [];
  for (const id of copies) {
    // Each start as an admin's enable at runtime: load, process, setup, start, routes rebuilt.
    const began = performance.now();
    await isolated.kernel.setConfig(id, {}).catch(() => undefined);
    await isolated.kernel.enable(id);
    const ms = performance.now() - began;
    const { pid } = await getJson<{ pid: number }>(isolated.port, `/v1/${id}/pid`);
    await new Promise((r) => setTimeout(r, 300));
    starts.push({ ms, readyMs: readyMs.get(id) ?? NaN, rssMb: await rssMbOf(pid), memory: await memoryOf(pid) });
  }
  for (const id of copies) await isolated.kernel.disable(id);
  const ready: Ready = { ports: { 'in-process': inProcess.port, process: isolated.port }, starts };
  const { pid: pluginPid } = await getJson<{ pid: number }>(isolated.port, '/v1/bench-iso/pid');
  process.send?.(ready);
  process.on('message', async (message) => {
    if (message === 'cpu') {
      // The server's CPU counts both processes: the host's and the isolated plugin's.
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system + (await cpuMicrosOf(pluginPid)) });
      return;
    }
    for (const h of [inProcess, isolated]) {
      await h.host.close();
      await h.kernel.stop();
      await h.db.drop();
    }
    await rm(work, { recursive: true, force: true });
    process.exit(0);
  });
}

/** p50 of `SAMPLES` sequential requests on one keep-alive connection, in ms. */
async function sequentialP50(port: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const began = performance.now();
    await getJson(port, '/v1/bench-iso', agent);
    times.push(performance.now() - began);
  }
  agent.destroy();
  return median(times);
}

async function main(): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  try {
    const url = (mode: IsolationMode) => `http://127.0.0.1:${ready.ports[mode]}/v1/bench-iso`;
    for (const mode of ['in-process', 'process'] as const)
      await measure(child, url(mode), { connections: CONNECTIONS, duration: 1 });
    const runs: Record<IsolationMode, Measurement[]> = { 'in-process': [], process: [] };
    const ratios: number[] = [];
    // Other processes on a shared machine disturb req/s far more than CPU time per request.
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['in-process', 'process'] as const) {
        const m = await measure(child, url(mode), { connections: CONNECTIONS, duration: DURATION });
        runs[mode].push(m);
        console.log(
          `round ${round + 1} ${mode.padEnd(10)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}`,
        );
      }
      ratios.push(runs.process[round]!.rps / runs['in-process'][round]!.rps);
      cpuRatios.push(runs['in-process'][round]!.cpuPerRequest / runs.process[round]!.cpuPerRequest);
    }
    const p50In = await sequentialP50(ready.ports['in-process']);
    const p50Iso = await sequentialP50(ready.ports.process);
    const ratio = median(ratios);
    const added = p50Iso - p50In;
    const startMs = median(ready.starts.map((s) => s.ms));
    const processMs = median(ready.starts.map((s) => s.readyMs));
    const rssMb = Math.max(...ready.starts.map((s) => s.rssMb));
    console.log(`throughput isolated / in-process: ${ratio.toFixed(2)}× (median of ${ROUNDS} paired rounds; target ≥ 0.5×)`);
    const cpuRatio = median(cpuRatios);
    const cpuIn = median(runs['in-process'].map((m) => m.cpuPerRequest));
    const cpuIso = median(runs.process.map((m) => m.cpuPerRequest));
    console.log(
      `CPU per request in-process / isolated (host + plugin process): ${cpuRatio.toFixed(2)}× (${cpuIn.toFixed(0)} µs vs ${cpuIso.toFixed(0)} µs)`,
    );
    console.log(
      `p50 sequential: in-process ${p50In.toFixed(3)} ms, isolated ${p50Iso.toFixed(3)} ms, added ${added.toFixed(3)} ms (target < 1 ms)`,
    );
    console.log(
      `isolated start (enable → started): ${ready.starts.map((s) => s.ms.toFixed(0)).join(', ')} ms, median ${startMs.toFixed(0)} ms (includes the host's app rebuild)`,
    );
    console.log(
      `isolated process start (spawn → set up, without the host's app rebuild): ${ready.starts.map((s) => s.readyMs.toFixed(0)).join(', ')} ms, median ${processMs.toFixed(0)} ms (target < 300 ms)`,
    );
    console.log(
      `isolated process RSS: ${ready.starts.map((s) => s.rssMb.toFixed(1)).join(', ')} MB, max ${rssMb.toFixed(1)} MB (target < 60 MB)`,
    );
    const worst = ready.starts.reduce((a, b) => (b.rssMb > a.rssMb ? b : a)).memory;
    console.log(
      `  of which anonymous ${worst.anonMb.toFixed(1)} MB, file-backed ${worst.fileMb.toFixed(1)} MB (mostly the node binary's code, shared); PSS ${worst.pssMb.toFixed(1)} MB, private (USS) ${worst.ussMb.toFixed(1)} MB`,
    );
    console.log(
      JSON.stringify({
        bench: 'isolation',
        throughputRatio: ratio,
        cpuRatio,
        p50InProcessMs: p50In,
        p50IsolatedMs: p50Iso,
        p50AddedMs: added,
        startMedianMs: startMs,
        processStartMedianMs: processMs,
        rssMaxMb: rssMb,
        memoryOfLargest: worst,
        pass: ratio >= 0.5 && added < 1 && processMs < 300 && rssMb < 60,
      }),
    );
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
