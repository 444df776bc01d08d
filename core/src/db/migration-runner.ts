/**
 * The part of the core and plugin migrators they share: knex's migrator driven by a list of
 * migrations we load ourselves (so the same code runs from `.ts` sources and compiled `.js`),
 * with its bookkeeping tables in the owner's schema and errors that name owner and file.
 */
import { isHostplaneError } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DbErrors } from './errors.js';

/** What a migrator can be asked to do. `up`/`down` move one migration; `rollback-all` undoes every applied one. */
export type MigrationAction = 'latest' | 'up' | 'down' | 'rollback-all';

/** Every known migration name, split by whether it ran. Names are file names without extension. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** A migration module: `up` and `down`, each given the transaction to work in. */
export interface MigrationModule {
  up(knex: Knex): Promise<unknown>;
  down(knex: Knex): Promise<unknown>;
}

/** One migration of a set, loaded on demand. */
export interface NamedMigration {
  name: string;
  load(): Promise<MigrationModule>;
}

/** A set of migrations with one owner and one bookkeeping table. */
export interface MigrationSet {
  /** For messages: `core` or `plugin "hello"`. */
  owner: string;
  /** Schema holding the bookkeeping table (created when missing). */
  schema: string;
  /** Bookkeeping table name; knex adds `<tableName>_lock` beside it. */
  tableName: string;
  /** Every migration in order. */
  list(): Promise<NamedMigration[]>;
  /** Runs inside each migration's transaction before its `up`/`down`. */
  prepare?(trx: Knex.Transaction): Promise<void>;
  /**
   * Aborting cancels the statement the running migration waits on (its transaction rolls back,
   * so the connection and the migration lock are freed) and stops before the next migration.
   */
  signal?: AbortSignal;
}

const ACTIONS: ReadonlySet<string> = new Set<MigrationAction>(['latest', 'up', 'down', 'rollback-all']);

/** Apply `action` to `set`; returns the names migrated, in the order they ran. */
export async function runMigrations(knex: Knex, set: MigrationSet, action: MigrationAction): Promise<string[]> {
  if (!ACTIONS.has(action)) throw DbErrors.migrationActionInvalid(String(action));
  const migrations = await set.list();
  // Nearly every start finds nothing to do: one read of the bookkeeping table says so, without
  // importing the modules, creating bookkeeping or taking the migration lock.
  if (
    action === 'latest' &&
    (await upToDate(
      knex,
      set,
      migrations.map((m) => m.name),
    ))
  )
    return [];
  // Load every module first: a broken file should stop the run before anything changed.
  const modules = new Map<string, MigrationModule>();
  for (const migration of migrations) modules.set(migration.name, await migration.load());
  await ensureBookkeeping(knex, set.schema, set.tableName);

  const config: Knex.MigratorConfig = {
    schemaName: set.schema,
    tableName: set.tableName,
    migrationSource: {
      getMigrations: async () => migrations.map((m) => m.name),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => wrap(knex, set, name, modules.get(name)!),
    },
  };
  try {
    const [, log] = (await runAction(knex, config, action)) as [number, string[]];
    return log;
  } catch (err) {
    if (isHostplaneError(err)) throw err;
    throw DbErrors.migrationsInvalid(set.owner, describeKnexError(err));
  }
}

/**
 * True when every migration in `names` has run and nothing else has (a migration recorded but no
 * longer in the folder is for the full run to report).
 */
async function upToDate(knex: Knex, set: MigrationSet, names: string[]): Promise<boolean> {
  const { applied, bookkept } = await readApplied(knex, set);
  // Never migrated: the full run makes the schema and its bookkeeping, even with no migrations.
  if (!bookkept || applied.length !== names.length) return false;
  const done = new Set(applied);
  return names.every((name) => done.has(name));
}

/** Which migrations of `set` ran. Reads only: creates nothing when the owner never migrated. */
export async function migrationStatus(knex: Knex, set: MigrationSet): Promise<MigrationStatus> {
  const all = (await set.list()).map((m) => m.name);
  const { applied } = await readApplied(knex, set);
  const done = new Set(applied);
  return { applied, pending: all.filter((name) => !done.has(name)) };
}

/** The names recorded as run, oldest first; none when the bookkeeping table does not exist yet. */
async function readApplied(knex: Knex, set: MigrationSet): Promise<{ applied: string[]; bookkept: boolean }> {
  const { rows } = await knex.raw<{ rows: Array<{ found: string | null }> }>('select to_regclass(?) as found', [
    `${quoteIdent(set.schema)}.${quoteIdent(set.tableName)}`,
  ]);
  const applied = rows[0]?.found
    ? (await knex.withSchema(set.schema).from(set.tableName).orderBy('id').select<Array<{ name: string }>>('name')).map(
        (r) => r.name,
      )
    : [];
  return { applied, bookkept: Boolean(rows[0]?.found) };
}

function runAction(knex: Knex, config: Knex.MigratorConfig, action: MigrationAction): Promise<unknown> {
  switch (action) {
    case 'latest':
      return knex.migrate.latest(config);
    case 'up':
      return knex.migrate.up(config);
    case 'down':
      return knex.migrate.down(config);
    case 'rollback-all':
      return knex.migrate.rollback(config, true);
  }
}

/**
 * Only `up` and `down` pass through: a module's `config.transaction = false` is dropped on
 * purpose, since `prepare` (the plugin's search_path) only holds inside a transaction.
 */
function wrap(knex: Knex, set: MigrationSet, name: string, module: MigrationModule): Knex.Migration {
  const step = (direction: 'up' | 'down') => async (trx: Knex) => {
    const stopCancelling = await cancelOnAbort(knex, trx, set.signal);
    await set.prepare?.(trx as Knex.Transaction);
    try {
      await module[direction](trx);
    } catch (err) {
      const failure = DbErrors.migrationFailed(
        set.owner,
        name,
        `${direction}: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw Object.assign(failure, { cause: err });
    } finally {
      stopCancelling();
    }
  };
  return { up: step('up'), down: step('down') };
}

/**
 * Cancel `trx`'s running statement (through another connection) when `signal` aborts. Throws at
 * once when it already has. Returns the function that stops listening.
 */
async function cancelOnAbort(knex: Knex, trx: Knex, signal: AbortSignal | undefined): Promise<() => void> {
  if (!signal) return () => undefined;
  signal.throwIfAborted();
  const { rows } = await trx.raw<{ rows: Array<{ pid: number }> }>('select pg_backend_pid() as pid');
  const pid = rows[0]?.pid ?? 0;
  const cancel = (): void => {
    void knex.raw('select pg_cancel_backend(?)', [pid]).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

/**
 * Create the schema and knex's two bookkeeping tables, serialised by an advisory lock: knex
 * checks-then-creates them, which fails when two hosts boot at once.
 */
async function ensureBookkeeping(knex: Knex, schema: string, tableName: string): Promise<void> {
  const lockTable = `${tableName}_lock`;
  await knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`hostplane.migrations:${schema}.${tableName}`]);
    // Made only when missing: CREATE SCHEMA needs a right on the database a plugin's role (which
    // owns its schema already) does not have, even with IF NOT EXISTS.
    const { rows } = await trx.raw<{ rows: Array<{ found: string | null }> }>('select to_regnamespace(?) as found', [
      quoteIdent(schema),
    ]);
    if (!rows[0]?.found) await trx.raw('create schema ??', [schema]);
    // Same shape as knex's own table-creator, so knex finds them ready.
    if (!(await trx.schema.withSchema(schema).hasTable(tableName))) {
      await trx.schema.withSchema(schema).createTable(tableName, (t) => {
        t.increments();
        t.string('name');
        t.integer('batch');
        t.timestamp('migration_time');
      });
    }
    if (!(await trx.schema.withSchema(schema).hasTable(lockTable))) {
      await trx.schema.withSchema(schema).createTable(lockTable, (t) => {
        t.increments('index').primary();
        t.integer('is_locked');
      });
    }
    const [lockRow] = await trx.withSchema(schema).from(lockTable).select('index').limit(1);
    if (!lockRow) await trx.withSchema(schema).into(lockTable).insert({ is_locked: 0 });
  });
}

function describeKnexError(err: unknown): string {
  if (err instanceof Error && err.name === 'MigrationLocked') {
    return 'another process is migrating (the migration lock is held); try again when it is done';
  }
  return err instanceof Error ? err.message : String(err);
}

/** Double-quote an identifier for SQL text (to_regclass takes a string, not a binding of `??`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
