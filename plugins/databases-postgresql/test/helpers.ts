/** Shared by the PostgreSQL tests: a managed driver on a temp root and a free port, and a real client login. */
import { existsSync, promises as fs, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseLogin } from '@hostplane/testing';
import pg from 'pg';
import { PostgresDriver, type DriverOptions } from '../src/index.js';
export { freePort } from '@hostplane/testing/free-port';

/** Debian's newest installed PostgreSQL binaries (the major version differs between releases). */
export const BIN_DIR = path.join(
  '/usr/lib/postgresql',
  (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : []).sort((a, b) => Number(b) - Number(a))[0] ?? '15',
  'bin',
);

/** Why the managed tests cannot run here, or null. HOSTPLANE_REQUIRE_SYSTEM=1 makes a skip a failure. */
export function systemMissing(): string | null {
  const missing = ['initdb', 'postgres'].map((b) => path.join(BIN_DIR, b)).filter((f) => !existsSync(f));
  if (missing.length === 0) return null;
  const reason = `needs ${missing.join(' and ')} (apt-get install postgresql)`;
  if (process.env.HOSTPLANE_REQUIRE_SYSTEM === '1') throw new Error(`HOSTPLANE_REQUIRE_SYSTEM=1 but the test ${reason}`);
  return reason;
}

export const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const roots = new Set<string>();
/**
 * At exit, for any reason (a timed-out file skips its teardowns): kill a server still running on
 * a root this process made, then delete the root (a datadir is tens of MB).
 */
process.on('exit', () => {
  for (const root of roots) {
    try {
      const pid = Number(readFileSync(path.join(root, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
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
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hp-pg-'));
  await fs.chmod(root, 0o711);
  roots.add(root);
  return root;
}

export function driver(overrides: Partial<DriverOptions>): PostgresDriver {
  return new PostgresDriver({
    mode: 'managed',
    root: '',
    port: 5433,
    host: '127.0.0.1',
    adminUser: 'postgres',
    adminPassword: '',
    adminDatabase: 'postgres',
    binDir: BIN_DIR,
    logger: silentLogger,
    ...overrides,
  });
}

/** 28P01 bad password, 28000 no such role / no hba line, 42501 no CONNECT or no privilege, 3D000 no database. */
const REFUSED = new Set(['28P01', '28000', '42501', '3D000']);

/** Log in over TCP as a customer would, create a table and insert a row (see the contract). */
export function canUseOver(port: number) {
  return async (login: DatabaseLogin): Promise<boolean> => {
    const client = new pg.Client({ host: '127.0.0.1', port, ...login, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('CREATE TABLE IF NOT EXISTS hp_contract (x int)');
      await client.query('INSERT INTO hp_contract VALUES (1)');
      return true;
    } catch (err) {
      if (REFUSED.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
