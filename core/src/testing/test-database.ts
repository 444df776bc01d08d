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

/**
 * Create an empty database with a unique name on the test server. `prefix` becomes part of an
 * SQL identifier, so it is limited to lowercase letters, digits and `_`.
 */
export async function createTestDatabase(prefix = 'hostplane_test'): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,39}$/.test(prefix))
    throw new TypeError(`test database prefix "${prefix}" must match [a-z_][a-z0-9_]{0,39}`);
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
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    // Safe to call twice (a teardown and a finally may both try).
    drop: () => (dropped ??= dropDatabase(adminUrl, name)),
  };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // FORCE terminates connections a test left open (PostgreSQL 13+).
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
