/**
 * A real kernel + host for a benchmark's server process: a fresh database, the given plugins
 * started, demo users seeded, logging as in production (JSON, buffered) to a file nobody reads,
 * rate limits out of the way. Shared by the benches that measure API routes under autocannon.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Kernel, createLogger, createTestDatabase, openDatabase, type InlinePlugin } from '@hostplane/core';
import { createHost } from '../../host/src/server/index.js';
import { seedDemo } from '../../host/src/seed.js';

export interface BenchHost {
  kernel: Kernel;
  port: number;
  /** Close the host, stop the kernel, drop the database. */
  stop(): Promise<void>;
}

export async function startBenchHost(options: {
  name: string;
  plugins: InlinePlugin[];
  config?: Record<string, Record<string, unknown>>;
  /** Run durable jobs in the server process, as a host does (default false: the route alone). */
  runWorkers?: boolean;
  /** Runs after the demo users are seeded, before the host listens. */
  prepare?: (kernel: Kernel) => Promise<void>;
  /** Proxies whose X-Forwarded-For is believed (`HOSTPLANE_TRUST_PROXY`), for clients from many addresses. */
  trustProxy?: string[];
}): Promise<BenchHost> {
  const testDb = await createTestDatabase(`hostplane_bench_${options.name}`);
  const dataDir = await mkdtemp(join(tmpdir(), `hostplane-bench-${options.name}-`));
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const database = await openDatabase({ url: testDb.url, dataDir });
  const ids = options.plugins.map((p) => p.definition.id);
  const kernel = await Kernel.boot({
    database,
    logger: createLogger({ level: 'warn', destination: quiet }),
    inlinePlugins: options.plugins,
    enable: ids,
    config: options.config ?? {},
    runWorkers: options.runWorkers ?? false,
    taskThreads: 1,
  });
  for (const id of ids) {
    if (kernel.plugin(id)?.state !== 'started') throw new Error(`${id} did not start: ${JSON.stringify(kernel.plugin(id))}`);
  }
  await seedDemo(kernel);
  await options.prepare?.(kernel);
  const host = await createHost({
    kernel,
    logger: pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }),
    rateLimit: { max: 10_000_000, timeWindow: '1 minute' },
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  });
  const url = new URL(await host.listen({ host: '127.0.0.1', port: 0 }));
  return {
    kernel,
    port: Number(url.port),
    async stop() {
      await host.close();
      await kernel.stop();
      await testDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
