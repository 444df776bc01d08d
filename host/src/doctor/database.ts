/**
 * Database checks: reachable, the role can do what the host needs (decision 0014), clock
 * agrees with the server's, and which plugins are enabled with what config (the other checks
 * need it). Talks to DATABASE_URL with a plain client: unlike `openDatabase` it changes nothing.
 */
import pg from 'pg';
import { fail, ok, warn, type CheckResult } from './check.js';

/** An enabled plugin as stored: its id and config. */
export interface EnabledPlugin {
  id: string;
  config: Record<string, unknown>;
}

export interface DatabaseFindings {
  results: CheckResult[];
  /** Null when the database could not be read. */
  plugins: EnabledPlugin[] | null;
}

const MIN_SERVER_VERSION = 130000;
const SKEW_WARN_MS = 2_000;
const SKEW_FAIL_MS = 30_000;

export async function checkDatabase(url: string | undefined, now: () => number = Date.now): Promise<DatabaseFindings> {
  if (!url) {
    return {
      results: [
        warn('database', 'embedded PostgreSQL (the quick start): set DATABASE_URL to a PostgreSQL server for production'),
      ],
      plugins: null,
    };
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 5000 });
  client.on('error', () => undefined);
  const results: CheckResult[] = [];
  try {
    await client.connect();
    const started = now();
    const { rows } = await client.query<{
      version: number;
      db: string;
      role: string;
      superuser: boolean;
      createrole: boolean;
      owner: boolean;
      server_ms: string;
    }>(
      `select current_setting('server_version_num')::int as version, current_database() as db, current_user as role,
         r.rolsuper as superuser, r.rolcreaterole as createrole,
         pg_get_userbyid(d.datdba) = current_user as owner,
         (extract(epoch from clock_timestamp()) * 1000)::bigint::text as server_ms
       from pg_roles r, pg_database d where r.rolname = current_user and d.datname = current_database()`,
    );
    const row = rows[0]!;
    const roundTrip = now() - started;
    results.push(
      row.version >= MIN_SERVER_VERSION
        ? ok('database', `PostgreSQL ${Math.floor(row.version / 10000)} reachable, database ${row.db}`)
        : fail('database', `PostgreSQL ${Math.floor(row.version / 10000)} is too old: Hostplane needs 13 or newer`),
    );
    results.push(rolePrivileges(row));
    // The server's clock read mid-way through the round trip.
    const skew = Math.abs(Number(row.server_ms) - (started + roundTrip / 2));
    const clock = `local clock and the database's differ by ${Math.round(skew)} ms`;
    if (skew >= SKEW_FAIL_MS)
      results.push(fail('clock', `${clock}: sessions and tokens expire at the wrong time; run NTP (chrony, systemd-timesyncd)`));
    else if (skew >= SKEW_WARN_MS) results.push(warn('clock', `${clock}: run NTP on both machines`));
    else results.push(ok('clock', clock));
    return { results, plugins: await enabledPlugins(client) };
  } catch (err) {
    results.push(fail('database', `cannot reach DATABASE_URL: ${(err as Error).message}`));
    return { results, plugins: null };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function rolePrivileges(row: { role: string; superuser: boolean; createrole: boolean; owner: boolean }): CheckResult {
  if (row.superuser) {
    return ok(
      'database role',
      `${row.role} is a superuser: the host makes its owner role at start and runs as that (decision 0014)`,
    );
  }
  const missing = [
    ...(row.createrole ? [] : ['CREATEROLE (for the plugins’ roles)']),
    ...(row.owner ? [] : ['ownership of the database']),
  ];
  if (missing.length === 0) return ok('database role', `${row.role} owns the database and may create roles`);
  return fail('database role', `${row.role} lacks ${missing.join(' and ')}: see docs/operations.md#database-roles`);
}

async function enabledPlugins(client: pg.Client): Promise<EnabledPlugin[]> {
  const { rows: exists } = await client.query<{ t: string | null }>(`select to_regclass('hostplane.plugins')::text as t`);
  if (!exists[0]?.t) return [];
  const { rows } = await client.query<EnabledPlugin>('select id, config from hostplane.plugins where enabled order by id');
  return rows;
}
