/**
 * dns-powerdns: the `dns-provider` extension point on PowerDNS Authoritative. Wiring only: the
 * provider is services/provider.ts, the managed daemon services/server.ts.
 */
import { definePlugin, extensionPoints, startInBackground, type BackgroundStart } from '@hostplane/sdk';
import { PowerDnsConfig } from './config.js';
import { defaultRoot, PowerDnsDriver } from './services/driver.js';

export { PowerDnsConfig } from './config.js';
export { PowerDnsDriver, defaultRoot } from './services/driver.js';
export { PowerDnsProvider } from './services/provider.js';
export { PowerDnsApi } from './services/api.js';
export { ManagedServer, type ManagedOptions } from './services/server.js';
export { dropDatabase } from './services/database.js';

/** Drivers by the config object setup and start share: two kernels in one process stay apart. */
const drivers = new WeakMap<object, { driver: PowerDnsDriver; started: BackgroundStart | null }>();

export default definePlugin({
  id: 'dns-powerdns',
  sdk: '^0.1.0',
  provides: ['dns-provider'],
  permissions: ['exec:pdns_server'],
  config: PowerDnsConfig,
  setup(ctx) {
    const driver = new PowerDnsDriver(ctx.config, ctx.config.root || defaultRoot());
    drivers.set(ctx.config, { driver, started: null });
    ctx.extend(extensionPoints.dnsProvider, driver.provider);
    ctx.command({
      name: 'stop',
      description: 'Stop the managed pdns_server now (it keeps answering after the host stops; a disable stops it too)',
      async run(_args, io) {
        await driver.stop();
        io.out('pdns_server stopped; the next host start starts it again');
      },
    });
  },
  async start(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) throw new Error('dns-powerdns started before setup');
    // Starting or adopting pdns_server takes a moment: the host need not wait for it.
    entry.started = await startInBackground(ctx, {
      what: 'pdns_server',
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
    // Zones outlive the host process: a shutdown leaves pdns_server answering for the next start
    // to adopt; only a disable stops it.
    await entry.driver.stop({ keepServer: ctx.reason === 'shutdown' });
  },
});
