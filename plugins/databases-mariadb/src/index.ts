/**
 * databases-mariadb: the `database-server` extension point on MariaDB. Wiring only: the driver
 * lives in services/driver.ts, the managed mariadbd in services/server.ts.
 */
import path from 'node:path';
import { definePlugin, extensionPoints } from '@hostplane/sdk';
import { MariaDbConfig } from './config.js';
import { MariaDbDriver } from './services/driver.js';

export { MariaDbDriver, type DriverOptions } from './services/driver.js';
export { ManagedServer, layoutOf } from './services/server.js';
export { MariaDbConfig } from './config.js';

/** While degraded, try again this often (package installed, port freed, server back). */
const RETRY_MS = 30_000;

/** The plugin's root when the config leaves it empty. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'mariadb');
}

/** Drivers by the config object setup and start share: two kernels in one process stay apart. */
const drivers = new WeakMap<object, { driver: MariaDbDriver; retry: NodeJS.Timeout | null; starting: Promise<void> }>();

export default definePlugin({
  id: 'databases-mariadb',
  sdk: '^0.1.0',
  provides: ['database-server'],
  permissions: ['exec:mariadbd', 'exec:mariadb-install-db'],
  config: MariaDbConfig,
  setup(ctx) {
    const c = ctx.config;
    const driver = new MariaDbDriver({ ...c, root: c.root || defaultRoot(), logger: ctx.logger });
    drivers.set(c, { driver, retry: null, starting: Promise.resolve() });
    ctx.extend(extensionPoints.databaseServer, driver);
    ctx.command({
      name: 'stop',
      description: 'Stop the managed mariadbd now (it keeps serving after the host stops; a disable stops it too)',
      async run(_args, io) {
        if (!driver.managed) return io.out('external mode: the plugin runs no server of its own');
        await driver.managed.stop();
        io.out(`mariadbd on ${driver.managed.layout.data} stopped; the next host start starts it again`);
      },
    });
  },
  async start(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) throw new Error('databases-mariadb started before setup');
    const report = async (): Promise<boolean> => {
      await entry.driver.start();
      const s = await entry.driver.status();
      ctx.reportHealth(s.state === 'ready' ? 'ok' : 'degraded', s.reason ?? undefined);
      return s.state === 'ready';
    };
    const again = (): void => {
      entry.retry = setTimeout(() => {
        if (ctx.signal.aborted) return;
        void report().then((ok) => {
          if (!ok && !ctx.signal.aborted) again();
        });
      }, RETRY_MS);
      entry.retry.unref();
    };
    // Initialising and starting the server can take seconds (much more on a loaded machine): the
    // host need not wait for it to listen. Driver calls made meanwhile wait for it; health
    // follows when it is done.
    entry.starting = report().then(
      (ok) => {
        if (!ok && !ctx.signal.aborted) again();
      },
      (err: unknown) => ctx.logger.error({ err }, 'mariadbd start failed'),
    );
  },
  async stop(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) return;
    await entry.starting;
    if (entry.retry) clearTimeout(entry.retry);
    entry.retry = null;
    // Customers' databases outlive the host process: a shutdown leaves mariadbd running for the
    // next start to adopt; only a disable stops it.
    await entry.driver.stop({ keepServer: ctx.reason === 'shutdown' });
  },
});
