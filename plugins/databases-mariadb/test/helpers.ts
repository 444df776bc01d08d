/** Shared by the MariaDB tests: a managed driver on a temp root and a free port, and a real client login. */
import { existsSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseLogin } from '@hostplane/testing';
import mysql from 'mysql2/promise';
import { MariaDbDriver } from '../src/index.js';
export { freePort } from '@hostplane/testing/free-port';

/**
 * Why the tests cannot run here, or null when they can. With HOSTPLANE_REQUIRE_SYSTEM=1 a
 * missing binary is a failure, not a skip (CI installs mariadb-server).
 */
export function systemMissing(): string | null {
  const missing = ['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db'].filter((f) => !existsSync(f));
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(' and ')} (apt-get install mariadb-server)`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

export const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A temp root the mariadb user can traverse (a 0700 mkdtemp would keep it out). */
const roots = new Set<string>();
/**
 * At exit, for any reason (a timed-out file skips its teardowns): kill a server still running on
 * a root this process made, then delete the root (a datadir is tens of MB).
 */
process.on('exit', () => {
  for (const root of roots) {
    try {
      const pid = Number(readFileSync(path.join(root, 'run', 'mariadbd.pid'), 'utf8').split('\n')[0]);
      // Only a process started on this root: a stale pid file may name a recycled pid.
      if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root)) process.kill(pid, 'SIGKILL');
    } catch {
      // no server left
    }
    rmSync(root, { recursive: true, force: true });
  }
});

/** A temp root the server's user can traverse (a 0700 mkdtemp would keep it out), removed at exit. */
export async function tempRoot(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-mdb-'));
  await fs.chmod(root, 0o711);
  roots.add(root);
  return root;
}

export function managedDriver(root: string, port: number): MariaDbDriver {
  return new MariaDbDriver({
    mode: 'managed',
    root,
    port,
    host: '127.0.0.1',
    adminUser: 'root',
    adminPassword: '',
    mariadbd: '/usr/sbin/mariadbd',
    installDb: '/usr/bin/mariadb-install-db',
    bufferPoolMb: 16,
    logger: silentLogger,
  });
}

const REFUSED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
]);

/** Log in over TCP as a customer would, create a table and insert a row (see the contract). */
export function canUseOver(port: number) {
  return async (login: DatabaseLogin): Promise<boolean> => {
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({ host: '127.0.0.1', port, ...login, connectTimeout: 5_000 });
      await conn.query('CREATE TABLE IF NOT EXISTS hp_contract (x INT)');
      await conn.query('INSERT INTO hp_contract VALUES (1)');
      return true;
    } catch (err) {
      if (REFUSED.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    } finally {
      await conn?.end().catch(() => undefined);
    }
  };
}
