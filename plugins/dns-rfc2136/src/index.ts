/**
 * dns-rfc2136: the `dns-provider` extension point over RFC 2136 dynamic updates and AXFR, both
 * signed with TSIG, against a BIND 9 the plugin runs itself. Wiring only.
 */
import path from 'node:path';
import { definePlugin, extensionPoints, startInBackground, type BackgroundStart } from '@hostplane/sdk';
import { Rfc2136Config } from './config.js';
import { ManagedNamed } from './services/named.js';
import { Rfc2136Provider } from './services/provider.js';

export { Rfc2136Config } from './config.js';
export { ManagedNamed } from './services/named.js';
export { Rfc2136Provider } from './services/provider.js';

/** The driver: the managed named and the provider on it, with the plugin's lifecycle. */
export class Rfc2136Driver {
  readonly named: ManagedNamed;
  readonly provider: Rfc2136Provider;
  private failure: string | null = 'not started';

  constructor(config: Rfc2136Config, root: string) {
    this.named = new ManagedNamed({ ...config, root });
    this.provider = new Rfc2136Provider({
      named: this.named,
      server: config.listenAddress,
      port: config.dnsPort,
      digBinary: config.digBinary,
      nsupdateBinary: config.nsupdateBinary,
      unavailable: () => this.failure,
    });
  }

  async start(): Promise<{ state: 'ready' | 'degraded'; reason: string | null }> {
    const missing = await this.named.preflight();
    if (missing) return { state: 'degraded', reason: (this.failure = missing) };
    try {
      await this.named.start();
      this.failure = null;
    } catch (err) {
      return { state: 'degraded', reason: (this.failure = (err as Error).message) };
    }
    const s = await this.provider.status();
    return { state: s.state, reason: s.reason };
  }

  async stop(options: { keepServer?: boolean } = {}): Promise<void> {
    this.failure = 'stopped';
    if (!options.keepServer) await this.named.stop();
  }
}

export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'bind');
}

const drivers = new WeakMap<object, { driver: Rfc2136Driver; started: BackgroundStart | null }>();

export default definePlugin({
  id: 'dns-rfc2136',
  sdk: '^0.1.0',
  provides: ['dns-provider'],
  permissions: ['exec:named', 'exec:rndc', 'exec:nsupdate', 'exec:dig'],
  config: Rfc2136Config,
  setup(ctx) {
    const driver = new Rfc2136Driver(ctx.config, ctx.config.root || defaultRoot());
    drivers.set(ctx.config, { driver, started: null });
    // Off by default: a fresh install enables every first-party plugin, and one DNS server is enough.
    if (ctx.config.mode === 'managed') ctx.extend(extensionPoints.dnsProvider, driver.provider);
  },
  async start(ctx) {
    const entry = drivers.get(ctx.config);
    if (!entry) throw new Error('dns-rfc2136 started before setup');
    if (ctx.config.mode === 'off') {
      ctx.reportHealth('degraded', 'off: set mode=managed to serve zones from BIND 9');
      return;
    }
    // Starting or adopting named takes a moment: the host need not wait for it.
    entry.started = await startInBackground(ctx, {
      what: 'named',
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
    await entry.driver.stop({ keepServer: ctx.reason === 'shutdown' });
  },
});
