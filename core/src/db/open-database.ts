/**
 * Open the platform's PostgreSQL: the server named by a URL (DATABASE_URL), or an embedded one
 * under the data directory. Same SQL either way (DESIGN.md, "Data").
 */
import type { Logger } from '@hostplane/sdk';
import knexFactory, { type Knex } from 'knex';
import type pg from 'pg';
import { closePool } from './close-pool.js';
import { attachRunningServer, startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { DbErrors } from './errors.js';
import { pgTypes } from './pg-types.js';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL; absent or blank → embedded server under `dataDir`. */
  url?: string;
  /** Hostplane's data directory (`HOSTPLANE_DATA_DIR`); the embedded cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  logger?: Logger;
  /** Most connections in the pool. Default 10. */
  poolMax?: number;
}

/** An open database. */
export interface DatabaseHandle {
  knex: Knex;
  /** Connection string in use (for libraries that want one, e.g. graphile-worker). Holds credentials: never log it. */
  url: string;
  /** True when this process started the server (and `close()` stops it). */
  embedded: boolean;
  /**
   * Destroy the pool, then stop the embedded server if any. Safe to call twice. Connections
   * still in use after `graceMs` (default 5 s) are terminated rather than waited for.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Name of the database created in the embedded server. */
export const EMBEDDED_DATABASE_NAME = 'hostplane';

/** Open the database and check that a query goes through. Throws DB_ERR_* HostplaneErrors. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const poolMax = options.poolMax ?? 10;
  if (!Number.isInteger(poolMax) || poolMax < 1) throw new TypeError(`poolMax must be a positive integer, got ${poolMax}`);
  const given = options.url?.trim() ? options.url.trim() : undefined;
  if (given !== undefined) assertPostgresUrl(given);

  let server: EmbeddedServer | undefined;
  const attached = given === undefined ? await attachRunningServer(options.dataDir, EMBEDDED_DATABASE_NAME) : undefined;
  if (given === undefined && attached === undefined) {
    server = await startEmbeddedServer({
      dataDir: options.dataDir,
      database: EMBEDDED_DATABASE_NAME,
      ...withLogger(options.logger),
    });
  }
  const url = given ?? attached ?? server!.url;
  const knex = createKnex(url, poolMax, options.logger);
  try {
    await knex.raw('select 1');
  } catch (err) {
    await knex.destroy().catch(() => undefined);
    await server?.stop();
    throw DbErrors.connectFailed(describeUrl(url), err instanceof Error ? err.message : String(err));
  }

  let closed: Promise<void> | undefined;
  return {
    knex,
    url,
    embedded: server !== undefined,
    close: (closeOptions = {}) =>
      (closed ??= (async () => {
        await closePool(knex, url, closeOptions.graceMs ?? 5000, options.logger);
        await server?.stop();
      })()),
  };
}

function createKnex(url: string, poolMax: number, logger?: Logger): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, types: pgTypes, application_name: 'hostplane' } as Knex.PgConnectionConfig,
    pool: {
      min: 0,
      max: poolMax,
      // A connection terminated by the server (restart, pg_terminate_backend, idle timeout)
      // emits 'error' on an idle client; unheard, Node turns that into a crash (RECIPES.md).
      afterCreate(connection: pg.Client, done: (err: Error | null, connection: pg.Client) => void) {
        connection.on('error', (err) => logger?.warn({ err }, 'PostgreSQL connection lost'));
        done(null, connection);
      },
    },
    acquireConnectionTimeout: 30_000,
    // knex writes warnings (e.g. failed migrations) to the console unless told otherwise.
    log: {
      warn: (message: unknown) => logger?.warn({ knex: message }, 'knex'),
      error: (message: unknown) => logger?.error({ knex: message }, 'knex'),
      deprecate: (message: unknown) => logger?.warn({ knex: message }, 'knex deprecation'),
      debug: (message: unknown) => logger?.debug({ knex: message }, 'knex'),
    },
  });
}

function assertPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The message must not echo the URL: it may carry a password.
    throw DbErrors.urlInvalid('it does not parse as a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw DbErrors.urlInvalid(`scheme "${parsed.protocol}" is not postgres: or postgresql:`);
  }
}

/** host:port/database, without credentials, for messages. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
}

function withLogger(logger: Logger | undefined): { logger?: Logger } {
  return logger ? { logger } : {};
}
