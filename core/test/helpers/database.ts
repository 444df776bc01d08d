/**
 * Test databases: a fresh PostgreSQL database per test file, opened through the kernel's own
 * `openDatabase`, optionally with the core schema migrated, dropped when the test ends.
 */
import { tmpdir } from 'node:os';
import type { Knex } from 'knex';
import { migrateCore } from '../../src/db/core-migrator.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createTestDatabase } from '../../src/testing/test-database.js';

/** The part of a tap test the helpers need. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** An open test database. */
export interface OpenTestDatabase {
  knex: Knex;
  url: string;
}

/** Create, open and (unless `migrate: false`) migrate a database; closed and dropped at teardown. */
export async function useTestDatabase(t: Teardownable, options: { migrate?: boolean } = {}): Promise<OpenTestDatabase> {
  const db = await createTestDatabase();
  const handle = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 4 });
  t.teardown(async () => {
    await handle.close();
    await db.drop();
  });
  if (options.migrate !== false) await migrateCore(handle.knex, 'latest');
  // The owner role's URL, as the kernel gets it: work done through the superuser URL would make
  // objects the host cannot use.
  return { knex: handle.knex, url: handle.url };
}
