/**
 * Real database faults for the gateway tests: make PostgreSQL refuse a test database, as when
 * the server goes away, and let it back in.
 */
import type { TestDatabase } from '@hostplane/core';
import pg from 'pg';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function asAdmin(run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.HOSTPLANE_TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Refuse new connections to `db` and end the open ones, so every query fails until the
 * returned function lets connections in again.
 */
export async function cutOff(db: TestDatabase): Promise<() => Promise<void>> {
  const name = decodeURIComponent(new URL(db.url).pathname.slice(1));
  const ident = `"${name.replace(/"/g, '""')}"`;
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${ident} ALLOW_CONNECTIONS false`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      name,
    ]);
  });
  return () => asAdmin((client) => client.query(`ALTER DATABASE ${ident} ALLOW_CONNECTIONS true`));
}
