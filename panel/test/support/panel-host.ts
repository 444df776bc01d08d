/**
 * A real Hostplane for the panel's tests and benchmark: kernel with the auth, accounts and hello
 * plugins on a fresh PostgreSQL database, the demo users and packages seeded, and the host
 * serving the built panel on a free port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kernel, createLogger, createTestDatabase, openDatabase, type InlinePlugin, type KernelOptions } from '@hostplane/core';
import { createHost, seedDemo } from '@hostplane/host';
import accounts from '@hostplane/plugin-accounts';
import auth from '@hostplane/plugin-auth';
import nginx from '@hostplane/plugin-webserver-nginx';
import websites from '@hostplane/plugin-websites';
import { assertNoDaemons, stopAtExit } from '../../../plugins/webserver-nginx/test/daemons.js';
import { freePort, systemMissing } from '../../../plugins/webserver-nginx/test/helpers.js';
import hello from '../../../examples/plugin-hello/src/index.js';

export interface PanelHost {
  url: string;
  kernel: Kernel;
  databaseUrl: string;
  logins: Record<'admin' | 'reseller' | 'alice' | 'bob', { email: string; password: string }>;
  /** Why websites cannot go live here (no nginx / php-fpm), or null when a real web server runs. */
  webServerMissing: string | null;
  /** The web server plugin's root (a temp folder). */
  siteRoot: string;
  close(): Promise<void>;
}

export interface PanelHostOptions {
  /** Run real nginx + php-fpm when present (default true). The benchmark leaves them out. */
  webServer?: boolean;
  /** Run job workers (default true: websites are provisioned by jobs). */
  runWorkers?: boolean;
  /** Drop-in plugin folders to discover besides the inline plugins, and signatures to check. */
  discovery?: KernelOptions['discovery'];
  signing?: KernelOptions['signing'];
  /** More plugins, loaded inline and enabled (a test's own fixture plugin). */
  plugins?: Array<InlinePlugin['definition']>;
  /** Config of those plugins, by plugin id. */
  config?: Record<string, Record<string, unknown>>;
  /** Listen on this port (default: any free one), for a config that must name the panel's address. */
  port?: number;
}

export async function startPanelHost(options: PanelHostOptions = {}): Promise<PanelHost> {
  const db = await createTestDatabase('hostplane_panel');
  const logger = createLogger({ level: process.env.HOSTPLANE_PANEL_TEST_LOG ?? 'silent' });
  const database = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 6 });
  // Websites go live on real nginx + php-fpm (run by the webserver-nginx plugin on a free port,
  // as the current user) when the machine has them; otherwise they wait for a web server.
  const webServerMissing = options.webServer === false ? 'left out by the caller' : systemMissing();
  const siteRoot = await mkdtemp(path.join(tmpdir(), 'hostplane-panel-sites-'));
  stopAtExit(siteRoot);
  const extra = options.plugins ?? [];
  const plugins = [
    'auth',
    'accounts',
    'hello',
    'websites',
    ...(webServerMissing ? [] : ['webserver-nginx']),
    ...extra.map((p) => p.id),
  ];
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({
      database,
      logger,
      // Inline plugins carry no package.json: give the versions the `requires` ranges check.
      inlinePlugins: [
        ...[auth, accounts, websites, nginx].map((definition) => ({ definition, version: '0.1.0' })),
        { definition: hello, version: '1.0.0' },
        ...extra.map((definition) => ({ definition, version: '1.0.0' })),
      ],
      enable: plugins,
      config: {
        auth: { cookieSecure: 'never', routeRateLimitPerMinute: 100_000, throttleMaxPerIp: 1000 },
        ...options.config,
        // A caller's settings (Adminer's port) go on top of the test web server's.
        'webserver-nginx': {
          root: siteRoot,
          httpPort: await freePort(),
          workerProcesses: 1,
          siteUsers: 'current',
          ...options.config?.['webserver-nginx'],
        },
      },
      runWorkers: options.runWorkers ?? true,
      taskThreads: 1,
      ...(options.discovery ? { discovery: options.discovery } : {}),
      ...(options.signing ? { signing: options.signing } : {}),
    });
  } catch (err) {
    await db.drop();
    await rm(siteRoot, { recursive: true, force: true });
    throw err;
  }
  const seeded = await seedDemo(kernel);
  const quiet = { out: () => undefined, err: () => undefined };
  await kernel.runCommand('accounts', 'seed', [], quiet);
  const host = await createHost({ kernel, logger, panel: true, rateLimit: { max: 100_000, timeWindow: '1 minute' } });
  const url = await host.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const login = (email: string) => {
    const found = seeded.find((l) => l.email === email);
    if (!found) throw new Error(`no demo login ${email}`);
    return { email: found.email, password: found.password };
  };
  return {
    url,
    kernel,
    databaseUrl: db.url,
    webServerMissing,
    siteRoot,
    logins: {
      admin: login('admin@hostplane.test'),
      reseller: login('reseller@hostplane.test'),
      alice: login('alice@hostplane.test'),
      bob: login('bob@hostplane.test'),
    },
    async close() {
      await host.close();
      // NGINX and PHP-FPM outlive a host that stops (customers' sites stay up); only a disable
      // ends them, and a test must leave none behind.
      if (!webServerMissing) await kernel.disable('webserver-nginx');
      await kernel.stop();
      await db.drop();
      try {
        await assertNoDaemons(siteRoot);
      } finally {
        await rm(siteRoot, { recursive: true, force: true });
      }
    },
  };
}
