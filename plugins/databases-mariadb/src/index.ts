/**
 * databases-mariadb: the `database-server` extension point on MariaDB. Wiring only: the driver
 * lives in services/driver.ts, the managed mariadbd in services/server.ts.
 */
import path from 'node:path';
import { definePlugin, extensionPoints, startInBackground, type BackgroundStart } from '@hostplane/sdk';
import { MariaDbConfig } from './config.js';
import { MariaDbDriver } from './services/driver.js';

export { MariaDbDriver, type DriverOptions } from './services/driver.js';
export { ManagedServer, layoutOf } from './services/server.js';
export { MariaDbConfig } from './config.js';

/** The plugin's root when the config leaves it empty. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'mariadb');
}

/** Drivers by the config object setup and start share: two kernels in one process stay apart. */
const drivers = new WeakMap<object, { driver: MariaDbDriver; started: BackgroundStart | null }>();

export default definePlugin({
  id: 'databases-mariadb',
  sdk: '^0.1.0',
  provides: ['database-server'],
  permissions: ['exec:mariadbd', 'exec:mariadb-install-db', 'exec:mariadb-dump', 'exec:mariadb'],
  config: MariaDbConfig,
  setup(ctx) {
    const c = ctx.config;
    const driver = new MariaDbDriver({ ...c, root: c.root || defaultRoot(), logger: ctx.logger });
    drivers.set(c, { driver, started: null });
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
    // Initialising and starting the server can take seconds: the host need not wait for it to
    // listen. Driver calls made meanwhile wait for it; health follows when it is done.
    entry.started = await startInBackground(ctx, {
      what: 'mariadbd',
      attempt: async () => {
        await entry.driver.start();
        const s = await entry.driver.status();
        return { ready: s.state === 'ready', reason: s.reason };
      },
    });
  },
  async stop(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) return;
    await entry.started?.stop();
    entry.started = null;
    // Customers' databases outlive the host process: a shutdown leaves mariadbd running for the
    // next start to adopt; only a disable stops it.
    await entry.driver.stop({ keepServer: ctx.reason === 'shutdown' });
  },
});
