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
import { bootstrapOwner, isSuperuser, type RoleLogin } from './roles/owner-bootstrap.js';

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
   * The role the pool logs in as: the database's owner role, never a superuser (a superuser
   * URL is used once to make that role, then dropped).
   */
  role: string;
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
  let url = given ?? attached ?? server!.url;
  let knex = createKnex(url, poolMax, options.logger);
  let role: string;
  try {
    await knex.raw('select 1');
    // The host never keeps a superuser connection: one makes the owner role, then goes.
    if (await isSuperuser(knex)) {
      const owner = await bootstrapOwner(knex, { ownsCluster: given === undefined });
      await knex.destroy();
      url = withLogin(url, owner);
      knex = createKnex(url, poolMax, options.logger);
      await knex.raw('select 1');
    }
    role = await currentRole(knex);
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
    role,
    close: (closeOptions = {}) =>
      (closed ??= (async () => {
        await closePool(knex, url, closeOptions.graceMs ?? 5000, options.logger);
        await server?.stop();
      })()),
  };
}

async function currentRole(knex: Knex): Promise<string> {
  const { rows } = await knex.raw<{ rows: Array<{ role: string }> }>('select current_user as role');
  return rows[0]!.role;
}

/** `url` logging in as `login` instead (same server, database and options). */
export function withLogin(url: string, login: RoleLogin): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(login.user);
  parsed.password = encodeURIComponent(login.password);
  return parsed.toString();
}

/** A knex pool on `url` with the platform's type parsers and connection-loss handling. */
export function createKnex(url: string, poolMax: number, logger?: Logger, applicationName = 'hostplane'): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, types: pgTypes, application_name: applicationName } as Knex.PgConnectionConfig,
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
