/**
 * A real Hostplane for the panel's tests and benchmark: kernel with the auth, accounts and hello
 * plugins on a fresh PostgreSQL database, the demo users and packages seeded, and the host
 * serving the built panel on a free port.
 */
import { tmpdir } from 'node:os';
import { Kernel, createLogger, createTestDatabase, openDatabase } from '@hostplane/core';
import { createHost, seedDemo } from '@hostplane/host';
import accounts from '@hostplane/plugin-accounts';
import auth from '@hostplane/plugin-auth';
import hello from '../../../examples/plugin-hello/src/index.js';

export interface PanelHost {
  url: string;
  kernel: Kernel;
  databaseUrl: string;
  logins: Record<'admin' | 'reseller' | 'alice' | 'bob', { email: string; password: string }>;
  close(): Promise<void>;
}

export async function startPanelHost(): Promise<PanelHost> {
  const db = await createTestDatabase('hostplane_panel');
  const logger = createLogger({ level: process.env.HOSTPLANE_PANEL_TEST_LOG ?? 'silent' });
  const database = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 6 });
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({
      database,
      logger,
      inlinePlugins: [{ definition: auth }, { definition: accounts }, { definition: hello }],
      enable: ['auth', 'accounts', 'hello'],
      config: {
        auth: { cookieSecure: 'never', routeRateLimitPerMinute: 100_000, throttleMaxPerIp: 1000 },
      },
      runWorkers: false,
      taskThreads: 1,
    });
  } catch (err) {
    await db.drop();
    throw err;
  }
  const seeded = await seedDemo(kernel);
  const quiet = { out: () => undefined, err: () => undefined };
  await kernel.runCommand('accounts', 'seed', [], quiet);
  const host = await createHost({ kernel, logger, panel: true, rateLimit: { max: 100_000, timeWindow: '1 minute' } });
  const url = await host.listen({ host: '127.0.0.1', port: 0 });
  const login = (email: string) => {
    const found = seeded.find((l) => l.email === email);
    if (!found) throw new Error(`no demo login ${email}`);
    return { email: found.email, password: found.password };
  };
  return {
    url,
    kernel,
    databaseUrl: db.url,
    logins: {
      admin: login('admin@hostplane.test'),
      reseller: login('reseller@hostplane.test'),
      alice: login('alice@hostplane.test'),
      bob: login('bob@hostplane.test'),
    },
    async close() {
      await host.close();
      await kernel.stop();
      await db.drop();
    },
  };
}
