/**
 * databases-postgresql: the `database-server` extension point on PostgreSQL. Wiring only: the
 * driver lives in services/driver.ts, the managed cluster in services/server.ts.
 */
import path from 'node:path';
import { definePlugin, extensionPoints, startInBackground, type BackgroundStart } from '@hostplane/sdk';
import { PostgresConfig } from './config.js';
import { PostgresDriver } from './services/driver.js';

export { PostgresDriver, type DriverOptions } from './services/driver.js';
export { ManagedCluster, layoutOf } from './services/server.js';
export { PostgresConfig } from './config.js';

/** The plugin's root when the config leaves it empty. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'postgresql');
}

const drivers = new WeakMap<object, { driver: PostgresDriver; started: BackgroundStart | null }>();

export default definePlugin({
  id: 'databases-postgresql',
  sdk: '^0.1.0',
  provides: ['database-server'],
  permissions: ['exec:postgres', 'exec:initdb', 'exec:pg_dump', 'exec:psql'],
  config: PostgresConfig,
  setup(ctx) {
    const c = ctx.config;
    const driver = new PostgresDriver({ ...c, root: c.root || defaultRoot(), logger: ctx.logger });
    drivers.set(c, { driver, started: null });
    ctx.extend(extensionPoints.databaseServer, driver);
    ctx.command({
      name: 'stop',
      description: 'Stop the managed PostgreSQL cluster now (it keeps serving after the host stops; a disable stops it too)',
      async run(_args, io) {
        if (!driver.managed) return io.out('external mode: the plugin runs no server of its own');
        await driver.managed.stop();
        io.out(`PostgreSQL on ${driver.managed.layout.data} stopped; the next host start starts it again`);
      },
    });
  },
  async start(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) throw new Error('databases-postgresql started before setup');
    // Initialising and starting the cluster can take seconds: the host need not wait for it to
    // listen. Driver calls made meanwhile wait for it; health follows when it is done.
    entry.started = await startInBackground(ctx, {
      what: 'PostgreSQL',
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
    // Customers' databases outlive the host process; only a disable stops the cluster.
    await entry.driver.stop({ keepServer: ctx.reason === 'shutdown' });
  },
});
