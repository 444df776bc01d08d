/**
 * webserver-nginx: the `webserver` extension point on NGINX with one PHP-FPM pool per site.
 * Wiring only: the driver lives in services/driver.ts and its parts beside it.
 */
import path from 'node:path';
import { definePlugin, extensionPoints, startInBackground, type BackgroundStart } from '@hostplane/sdk';
import { NginxConfig } from './config.js';
import { NginxDriver } from './services/driver.js';

export { NginxDriver, type DriverOptions } from './services/driver.js';
export { NginxConfig } from './config.js';

/** The plugin's root when the config leaves it empty. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'webserver');
}

/** Drivers by the config object setup and start share: two kernels in one process stay apart. */
const drivers = new WeakMap<object, { driver: NginxDriver; started: BackgroundStart | null }>();

export default definePlugin({
  id: 'webserver-nginx',
  sdk: '^0.1.0',
  provides: ['webserver'],
  permissions: ['exec:nginx', 'exec:php-fpm', 'exec:node', 'fs:/srv/www', 'settings'],
  config: NginxConfig,
  setup(ctx) {
    const c = ctx.config;
    const driver = new NginxDriver({ ...c, root: c.root || defaultRoot(), logger: ctx.logger });
    drivers.set(c, { driver, started: null });
    ctx.extend(extensionPoints.webServer, driver);
    ctx.command({
      name: 'stop',
      description: 'Stop NGINX and PHP-FPM now (they keep serving after the host stops; a disable stops them too)',
      async run(_args, io) {
        await driver.stopServers();
        io.out(`NGINX and PHP-FPM under ${driver.layout.root} stopped; a running host starts them again at its next change`);
      },
    });
  },
  async start(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) throw new Error('webserver-nginx started before setup');
    // A missing binary is known at once and reported before the host listens. Starting or
    // adopting the masters (checks, start, reloads) takes a second or more: the host need not
    // wait for it to answer /health; health follows when it is done, and driver calls made
    // meanwhile wait for it.
    entry.started = await startInBackground(ctx, {
      what: 'the web server',
      preflight: () => entry.driver.preflight(),
      attempt: async () => {
        const s = await entry.driver.start();
        return { ready: s.state === 'ready', reason: s.reason };
      },
    });
  },
  async stop(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) return;
    await entry.started?.stop();
    entry.started = null;
    // Customers' sites outlive the host process: a shutdown (SIGTERM, a restart, an upgrade)
    // leaves NGINX and PHP-FPM serving for the next start to adopt; only a disable stops them.
    await entry.driver.stop({ keepServers: ctx.reason === 'shutdown' });
  },
});
