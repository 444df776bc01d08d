/**
 * The plugin's driver: the {@link PowerDnsProvider} on the API of either our own pdns_server
 * (managed) or an existing one (external), with start/stop for the plugin lifecycle.
 */
import path from 'node:path';
import type { PowerDnsConfig } from '../config.js';
import { PowerDnsApi } from './api.js';
import { PowerDnsProvider } from './provider.js';
import { ManagedServer } from './server.js';

export interface DriverStatus {
  state: 'ready' | 'degraded';
  reason: string | null;
}

export class PowerDnsDriver {
  readonly provider: PowerDnsProvider;
  readonly managed: ManagedServer | null;
  private failure: string | null = 'not started';
  /** The server's start in progress: calls made meanwhile wait for it instead of failing. */
  private serverStart: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: PowerDnsConfig,
    root: string,
  ) {
    if (config.mode === 'managed') {
      const server = new ManagedServer({
        root,
        binary: config.pdnsBinary,
        listenAddress: config.listenAddress,
        dnsPort: config.dnsPort,
        apiPort: config.apiPort,
        databaseUrl: config.databaseUrl,
        databaseName: config.databaseName,
        schemaFile: config.schemaFile,
      });
      this.managed = server;
      this.provider = new PowerDnsProvider({
        api: new PowerDnsApi(
          server.apiUrl,
          () => server.apiKey(),
          'localhost',
          () => this.serverStart,
        ),
        unavailable: async () => {
          await this.serverStart;
          return this.failure;
        },
        listen: server.listen,
      });
    } else {
      this.managed = null;
      this.failure = config.apiUrl ? null : 'external mode needs apiUrl';
      this.provider = new PowerDnsProvider({
        api: new PowerDnsApi(config.apiUrl || 'http://127.0.0.1:8081', () => config.apiKey, config.serverId),
        unavailable: async () => this.failure,
        listen: config.nameserverAddress || null,
      });
    }
  }

  /** Start (or adopt) the managed server; in external mode, check the API answers. */
  async start(): Promise<DriverStatus> {
    if (this.managed) {
      let started!: () => void;
      this.serverStart = new Promise((resolve) => (started = resolve));
      try {
        // Nothing is created in a database nobody named: a fresh install stays idle until set.
        if (!this.config.databaseUrl)
          return this.fail('set databaseUrl (a PostgreSQL role that may create databases) to run the managed PowerDNS');
        const missing = await this.managed.preflight();
        if (missing !== null) return this.fail(missing);
        await this.managed.start();
        this.failure = null;
      } catch (err) {
        return this.fail((err as Error).message);
      } finally {
        started();
      }
    }
    const status = await this.provider.status();
    return { state: status.state, reason: status.reason };
  }

  /** Stop the managed server unless `keepServer` (a host shutdown: DNS keeps answering). */
  async stop(options: { keepServer?: boolean } = {}): Promise<void> {
    this.failure = 'stopped';
    if (this.managed && !options.keepServer) await this.managed.stop();
  }

  private fail(reason: string): DriverStatus {
    this.failure = reason;
    return { state: 'degraded', reason };
  }
}

/** The data directory when the config leaves it empty. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'powerdns');
}
