/**
 * A fresh, throwaway PostgreSQL database per test file. Uses the server named by
 * `HOSTPLANE_TEST_DATABASE_URL` (default: the local server on 127.0.0.1:5432, as in CI).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database made for one test run. */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Drop the database (terminating leftover connections). */
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Create an empty database with a unique name on the test server. */
export async function createTestDatabase(prefix = 'hostplane_test'): Promise<TestDatabase> {
  const adminUrl = process.env.HOSTPLANE_TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
