/** A test host with accounts, databases and a managed MariaDB of its own on a temp root and free port. */
import { startTestHost, type TestHost, type TestPlugin } from '@hostplane/testing';
import accounts from '@hostplane/plugin-accounts';
import mariadb, { ManagedServer } from '@hostplane/plugin-databases-mariadb';
import type { Test } from 'tap';
import { canUseOver, freePort, systemMissing, tempRoot } from '../../databases-mariadb/test/helpers.js';
import databases from '../src/index.js';

export { systemMissing };

export interface DatabasesHost {
  host: TestHost;
  /** The managed mariadbd's root and port. */
  root: string;
  port: number;
  canUse: ReturnType<typeof canUseOver>;
}

/** Boot once per test file; the teardown closes the host and stops its mariadbd. */
export async function startDatabasesHost(
  t: Test,
  extra: { plugins?: TestPlugin[]; config?: Record<string, Record<string, unknown>> } = {},
): Promise<DatabasesHost> {
  const root = await tempRoot();
  const port = await freePort();
  const host = await startTestHost({
    plugins: [{ definition: accounts, version: '0.1.0' }, mariadb, ...(extra.plugins ?? []), databases],
    config: { 'databases-mariadb': { root, port, bufferPoolMb: 16 }, ...extra.config },
  });
  t.teardown(async () => {
    await host.close();
    // A host shutdown leaves mariadbd serving (as in production); the test ends it.
    const server = new ManagedServer({
      root,
      port,
      host: '127.0.0.1',
      mariadbd: '/usr/sbin/mariadbd',
      installDb: '/usr/bin/mariadb-install-db',
      bufferPoolMb: 16,
    });
    await server.stop();
    if ((await server.runningPid()) !== null) throw new Error('mariadbd still runs after the test');
  });
  return { host, root, port, canUse: canUseOver(port) };
}
