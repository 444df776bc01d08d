/**
 * A fresh, throwaway PostgreSQL database per test file. Uses the server named by
 * `HOSTPLANE_TEST_DATABASE_URL` (default: the local server on 127.0.0.1:5432, as in CI). On a
 * machine with no server there (Node and nothing else), the test file gets its own embedded
 * PostgreSQL instead, so `npm test` still runs; CI (`HOSTPLANE_REQUIRE_SYSTEM=1`) or an explicit
 * URL turns that fallback off.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../db/open-database.js';
import { rolePrefix } from '../db/roles/role-names.js';

/** A database made for one test run. */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  /** Drop the database (terminating leftover connections) and the roles Hostplane made for it. */
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
  try {
    await admin.connect();
  } catch (error) {
    const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
    if (refused && !process.env.HOSTPLANE_TEST_DATABASE_URL && process.env.HOSTPLANE_REQUIRE_SYSTEM !== '1') {
      return embeddedTestDatabase();
    }
    throw error;
  }
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
    // Roles are cluster-wide: without this every test file would leave its owner and plugin
    // roles behind. Plugin roles first: the owner role made them.
    const { rows } = await client.query<{ rolname: string }>(
      `select rolname from pg_roles where starts_with(rolname, $1) order by rolname like '%\\_owner', rolname`,
      [`${rolePrefix(name)}_`],
    );
    for (const { rolname } of rows) await client.query(`DROP ROLE IF EXISTS "${rolname.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** A private embedded server for this test process, stopped and deleted by drop(). */
export async function embeddedTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-testdb-'));
  const handle = await openDatabase({ dataDir, poolMax: 1 });
  let dropped: Promise<void> | undefined;
  return {
    url: handle.url,
    drop: () =>
      (dropped ??= (async () => {
        await handle.close();
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}
