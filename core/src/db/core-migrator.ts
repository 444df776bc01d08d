/** Migrations of the core schema `hostplane`, tracked in `hostplane.core_migrations`. */
import type { Knex } from 'knex';
import { coreMigrations } from './core-migrations/index.js';
import {
  migrationStatus,
  runMigrations,
  type MigrationAction,
  type MigrationSet,
  type MigrationStatus,
} from './migration-runner.js';

/** The core schema. */
export const CORE_SCHEMA = 'hostplane';

const coreSet: MigrationSet = {
  owner: 'core',
  schema: CORE_SCHEMA,
  tableName: 'core_migrations',
  list: async () => [...coreMigrations],
};

/** Migrate the core schema; returns the names migrated, in order. */
export async function migrateCore(knex: Knex, action: MigrationAction): Promise<string[]> {
  return runMigrations(knex, coreSet, action);
}

/** Applied and pending core migrations. */
export async function coreMigrationStatus(knex: Knex): Promise<MigrationStatus> {
  return migrationStatus(knex, coreSet);
}
