/**
 * The backups stack with databases: the databases plugin and both drivers running managed
 * servers of their own (real mariadbd and postgres) under the stack's temporary root, and a
 * site database of each engine issued the way a WordPress site gets one.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SiteDatabase, SiteDatabases } from '@hostplane/sdk';
import databases from '@hostplane/plugin-databases';
import mariadb, { ManagedServer } from '@hostplane/plugin-databases-mariadb';
import postgresql, { ManagedCluster } from '@hostplane/plugin-databases-postgresql';
import { freePort, systemMissing as mariadbMissing } from '../../databases-mariadb/test/helpers.js';
import { BIN_DIR, systemMissing as postgresMissing } from '../../databases-postgresql/test/helpers.js';
import { startStack, stackMissing } from './stack.js';

export function databaseStackMissing(): string | null {
  return stackMissing() ?? mariadbMissing() ?? postgresMissing();
}

export async function startDatabaseStack(t: Test, backups: Record<string, unknown> = {}) {
  const ports = { mariadb: await freePort(), postgresql: await freePort() };
  const mariadbOf = (root: string) =>
    new ManagedServer({
      root: path.join(root, 'mariadb'),
      port: ports.mariadb,
      host: '127.0.0.1',
      mariadbd: '/usr/sbin/mariadbd',
      installDb: '/usr/bin/mariadb-install-db',
      bufferPoolMb: 16,
    });
  const clusterOf = (root: string) =>
    new ManagedCluster({ root: path.join(root, 'postgresql'), port: ports.postgresql, host: '127.0.0.1', binDir: BIN_DIR });
  const stack = await startStack(t, {
    backups,
    limits: { databases: 20 },
    plugins: [mariadb, postgresql, databases],
    config: (root) => {
      // mysql and postgres traverse it to their folders.
      chmodSync(root, 0o711);
      return {
        'databases-mariadb': { root: path.join(root, 'mariadb'), port: ports.mariadb, bufferPoolMb: 16 },
        'databases-postgresql': { root: path.join(root, 'postgresql'), port: ports.postgresql, binDir: BIN_DIR },
        databases: { defaultServer: 'mariadb' },
      };
    },
    after: async (root) => {
      // A host shutdown leaves customers' database servers serving (as in production).
      await mariadbOf(root).stop();
      await clusterOf(root).stop();
    },
  });
  const kernel = stack.host.kernel as unknown as { extensions<T>(point: string): T[] };

  /** The site's own database on `engine`, as websites asks for a WordPress site's. */
  async function siteDatabase(
    site: { id: string; name: string },
    engine: 'mariadb' | 'postgresql',
    which: 'own' | 'foreign' = 'own',
  ): Promise<SiteDatabase> {
    const [provider] = kernel.extensions<SiteDatabases>('site-databases');
    if (!provider) throw new Error('the databases plugin did not start');
    const owner = which === 'own' ? stack.trees.customerA.id : stack.trees.customerB.id;
    return provider.issueForSite({
      siteId: site.id,
      siteName: site.name,
      ownerId: owner,
      subscriptionId: stack.subscriptions[which],
      engine,
    });
  }

  /** Run statements as the database's own user over TCP, as the site's application would. */
  async function asUser<T>(
    db: SiteDatabase,
    work: (query: (sql: string, values?: unknown[]) => Promise<unknown[]>) => Promise<T>,
  ) {
    const port = db.engine === 'mariadb' ? ports.mariadb : ports.postgresql;
    if (db.engine === 'mariadb') {
      const conn = await mysql.createConnection({
        host: '127.0.0.1',
        port,
        user: db.user,
        password: db.password,
        database: db.database,
        multipleStatements: true,
        charset: 'utf8mb4',
      });
      try {
        return await work(async (sql, values) => (await conn.query(sql, values))[0] as unknown[]);
      } finally {
        await conn.end();
      }
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: db.user, password: db.password, database: db.database });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(async (sql, values) => (await client.query(sql, values)).rows as unknown[]);
    } finally {
      await client.end();
    }
  }

  return { ...stack, ports, siteDatabase, asUser };
}

/** Odd rows: Unicode, quotes, newlines, a NUL byte and every other byte value in binary. */
export const ODD_ROWS: Array<[number, string, Buffer]> = [
  [1, 'plain', Buffer.from('abc')],
  [2, 'ünïcödé ✓ 日本語 🚀', Buffer.from([0, 1, 2, 255, 0, 10, 13])],
  [3, 'quote \' " ` backslash \\ semicolon ; -- not a comment', Buffer.alloc(0)],
  [4, 'line\nbreak\r\nand\ttab', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  [5, '', Buffer.from('\\x00')],
];

/** Create the table of odd rows (and a view) as the database's user. */
export async function fillOdd(query: (sql: string, values?: unknown[]) => Promise<unknown[]>, engine: string): Promise<void> {
  const binary = engine === 'mariadb' ? 'LONGBLOB' : 'BYTEA';
  await query(`CREATE TABLE odd (id INT PRIMARY KEY, txt TEXT NOT NULL, bin ${binary} NOT NULL)`);
  for (const [id, txt, bin] of ODD_ROWS) {
    await query(engine === 'mariadb' ? 'INSERT INTO odd VALUES (?, ?, ?)' : 'INSERT INTO odd VALUES ($1, $2, $3)', [
      id,
      txt,
      bin,
    ]);
  }
  await query('CREATE VIEW odd_ids AS SELECT id FROM odd');
}

/** Everything in `odd`, as comparable text (binary as hex), plus the names of the tables and views there are. */
export async function contentOf(query: (sql: string) => Promise<unknown[]>, engine: string): Promise<string> {
  const rows =
    engine === 'mariadb'
      ? await query('SELECT id, txt, HEX(bin) AS bin FROM odd ORDER BY id')
      : await query("SELECT id, txt, encode(bin, 'hex') AS bin FROM odd ORDER BY id");
  const tables =
    engine === 'mariadb'
      ? await query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1')
      : await query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  const norm = (r: Record<string, unknown>) => ({ ...r, bin: String(r.bin).toLowerCase(), id: Number(r.id) });
  return JSON.stringify({ rows: (rows as Array<Record<string, unknown>>).map(norm), tables });
}
