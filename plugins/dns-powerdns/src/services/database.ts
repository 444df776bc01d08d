/**
 * Managed mode's database: a PostgreSQL database of its own for pdns_server's gpgsql backend,
 * owned by a login role of the same name (what pdns_server logs in as: it reaches this database
 * only), with the schema Debian's pdns-backend-pgsql ships. Idempotent: each start makes what is
 * missing and sets the role's password to the one in the data directory.
 */
import { promises as fs } from 'node:fs';
import pg from 'pg';

export interface PdnsDatabase {
  host: string;
  port: number;
  name: string;
  user: string;
  password: string;
}

/** Quote an identifier already restricted to `[a-z_][a-z0-9_]*` by the config schema. */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Make the role, the database and the schema when absent; returns how pdns_server connects. */
export async function ensureDatabase(
  adminUrl: string,
  name: string,
  password: string,
  schemaFile: string,
): Promise<PdnsDatabase> {
  const url = new URL(adminUrl);
  await withClient(adminUrl, async (c) => {
    const role = await c.query('select 1 from pg_roles where rolname = $1', [name]);
    // The password is a random hex string (see server.ts): safe inside a literal.
    if (!/^[0-9a-f]{32,128}$/.test(password)) throw new Error('database password must be hex');
    if (role.rowCount === 0) await c.query(`create role ${ident(name)} login password '${password}'`);
    else await c.query(`alter role ${ident(name)} login password '${password}'`);
    const db = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (db.rowCount === 0) await c.query(`create database ${ident(name)} owner ${ident(name)}`);
  });
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  target.username = name;
  target.password = password;
  await withClient(target.toString(), async (c) => {
    const has = await c.query("select 1 from information_schema.tables where table_schema = 'public' and table_name = 'domains'");
    if (has.rowCount !== 0) return;
    const sql = await fs.readFile(schemaFile, 'utf8');
    await c.query('begin');
    try {
      await c.query(sql);
      await c.query('commit');
    } catch (err) {
      await c.query('rollback');
      throw err;
    }
  });
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    name,
    user: name,
    password,
  };
}

/** Drop the database and its role (tests, and an operator who wants a clean slate). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    await c.query(`drop database if exists ${ident(name)} with (force)`);
    await c.query(`drop role if exists ${ident(name)}`);
  });
}
