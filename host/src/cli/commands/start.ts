/** `hostplane start`: the API and workers, until SIGTERM or SIGINT. */
import { createLogger } from '@hostplane/core';
import { openKernel } from '../../boot.js';
import { logDestination } from '../../log-format.js';
import { enableFirstParty, isFirstRun, seedAccounts, seedDemo } from '../../seed.js';
import type { Host } from '../../server/create-host.js';
import type { CommandInput } from '../command.js';

export async function startCommand(input: CommandInput): Promise<undefined> {
  const { config, io } = input;
  const destination = logDestination(process.stdout, config.logFormat);
  const logger = createLogger({ level: config.logLevel, ...(destination ? { destination } : {}) });
  // The HTTP server's modules (Fastify, its plugins, the panel's build) load while the kernel
  // boots: much of a boot is waiting on PostgreSQL, time the loader can use.
  const server = import('../../server/create-host.js').then((m) => ({
    createHost: m.createHost,
    preloaded: m.preloadHost({ panel: true, logger }),
  }));
  server.catch(() => undefined);
  const kernel = await openKernel(config, { mode: 'run', logger });
  let host: Host;
  let logins: Awaited<ReturnType<typeof seedDemo>> = [];
  let firstRun = false;
  // Demo users only for the quick start (embedded database) or when asked: never on a
  // production DATABASE_URL by surprise.
  const seedWanted = !config.databaseUrl || process.env.HOSTPLANE_SEED_DEMO === '1';
  try {
    firstRun = await isFirstRun(kernel);
    if (firstRun) await enableFirstParty(kernel);
    logins = firstRun && seedWanted ? await seedDemo(kernel) : [];
    if (logins.length > 0) await seedAccounts(kernel, { out: () => undefined, err: (text) => io.err(text) });
    const { createHost, preloaded } = await server;
    host = await createHost({
      kernel,
      logger,
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      rateLimit: config.rateLimit,
      rateLimitStore: config.rateLimitStore,
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      panel: true,
      preloaded,
    });
  } catch (error) {
    // A start that fails after the kernel opened stops it (workers, pools, the embedded
    // server), so the command exits with its error instead of hanging.
    await kernel.stop().catch(() => undefined);
    throw error;
  }
  const address = await host.listen({ host: config.host, port: config.port });
  io.out(`Hostplane is running at ${address}  (API under ${address}/v1, reference at ${address}/docs)`);
  io.out(`Panel: ${address}/login`);
  io.out(`Database: ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.dataDir}`}`);
  // A plugin that started but cannot work (web server binaries missing, a port taken) says why.
  for (const plugin of kernel.plugins().filter((p) => p.health?.state === 'degraded')) {
    io.out(`Note: ${plugin.id} is degraded: ${plugin.health?.reason ?? 'no reason given'}`);
  }
  if (firstRun && !seedWanted)
    io.out('No users yet: create an administrator with `hostplane admin create --email you@example.com`.');
  if (logins.length > 0) {
    io.out('First run: demo logins (shown once; see README):');
    for (const login of logins) io.out(`  ${login.role.padEnd(12)} ${login.email.padEnd(26)} ${login.password}`);
  }
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: draining requests');
    void (async () => {
      try {
        await host.close();
        await kernel.stop();
        logger.info('stopped');
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      }
    })();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return undefined;
}
