/**
 * The `database-server` extension point on MariaDB. Names are checked against the SDK's pattern
 * before they are put in an identifier; passwords travel as escaped values, never spliced.
 * Customers' users are `'name'@'%'`; the server's bind address decides who can reach them.
 */
import type { Readable, Writable } from 'node:stream';
import {
  assertDatabaseName,
  DatabaseObjectMissing,
  DatabaseServerUnavailable,
  type DatabaseDumpResult,
  type DatabaseServer,
  type DatabaseServerStatus,
  type DatabaseStreamOptions,
  type Logger,
} from '@hostplane/sdk';
import type mysql from 'mysql2/promise';
import type { MariaDbConfig } from '../config.js';
import { ManagedServer, type AdminCredentials } from './server.js';
import { catchEarly, streamProgram } from '@hostplane/sdk/programs';

export type DriverOptions = Omit<MariaDbConfig, 'dumpBinary' | 'clientBinary'> &
  Partial<Pick<MariaDbConfig, 'dumpBinary' | 'clientBinary'>> & { logger: Pick<Logger, 'info' | 'warn' | 'error'> };

const USER_HOST = '%';

/** `name` as a quoted identifier (only ever called on checked names). */
const id = (name: string): string => `\`${name}\``;
/** `name` as a quoted account name `'name'@'%'`. */
const account = (name: string): string => `'${name}'@'${USER_HOST}'`;
/**
 * A database name in a GRANT: `_` and `%` are wildcards there, so `shop_a` would also match
 * `shopxa`. Escaped, the grant names exactly one database.
 */
const grantDb = (name: string): string => `\`${name.replace(/[_%]/g, (c) => `\\${c}`)}\``;

type Mysql = typeof mysql;
let loading: Promise<Mysql> | undefined;
/**
 * mysql2 is imported when the driver first connects, not when the plugin loads: a host whose
 * MariaDB is missing or disabled never pays its ~70 ms.
 */
function mysqlLib(): Promise<Mysql> {
  loading ??= import('mysql2/promise').then((m) => m.default);
  return loading;
}

export class MariaDbDriver implements DatabaseServer {
  readonly id = 'mariadb';
  readonly engine = 'mariadb';
  readonly dumpFormat = 'mariadb-sql';
  readonly managed: ManagedServer | null;
  #pool: mysql.Pool | null = null;
  /** The admin login the pool uses; the dump and load programs log in with it too. */
  #admin: AdminCredentials | null = null;
  #reason: string | null = 'not started';
  #starting: Promise<void> | null = null;
  /** Set by `stop`: no lazy start after it. */
  #stopped = false;
  #mysql: Mysql | null = null;

  constructor(private readonly options: DriverOptions) {
    this.managed = options.mode === 'managed' ? new ManagedServer(options) : null;
  }

  /** Start or adopt the managed server, or connect to the external one. Never throws: read `status()`. */
  start(): Promise<void> {
    this.#stopped = false;
    this.#starting ??= this.connect().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  private async connect(): Promise<void> {
    try {
      this.#mysql ??= await mysqlLib();
      if (this.managed) {
        const missing = this.managed.preflight();
        if (missing) throw new Error(missing);
        const { admin, adopted } = await this.managed.ensureRunning((a) => this.ping(a));
        this.usePool(admin);
        this.options.logger.info(
          { socket: this.managed.layout.socket, adopted },
          adopted ? 'adopted the running mariadbd' : 'mariadbd started',
        );
      } else {
        this.usePool({ user: this.options.adminUser, password: this.options.adminPassword });
        await this.pool().query('SELECT 1');
      }
      this.#reason = null;
    } catch (err) {
      this.#reason = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ reason: this.#reason }, 'MariaDB not available');
    }
  }

  /** Close connections; in managed mode also stop mariadbd unless `keepServer` (a host shutdown keeps it serving). */
  async stop(options: { keepServer?: boolean } = {}): Promise<void> {
    await this.#starting;
    this.#stopped = true;
    const pool = this.#pool;
    this.#pool = null;
    this.#reason = 'stopped';
    await pool?.end().catch(() => undefined);
    if (this.managed && !options.keepServer) await this.managed.stop();
  }

  private target(admin: AdminCredentials): mysql.PoolOptions {
    const base = { user: admin.user, password: admin.password, multipleStatements: false, connectTimeout: 5_000 };
    return this.managed
      ? { ...base, socketPath: this.managed.layout.socket }
      : { ...base, host: this.options.host, port: this.options.port };
  }

  private usePool(admin: AdminCredentials): void {
    this.#admin = admin;
    void this.#pool?.end().catch(() => undefined);
    const pool = this.lib().createPool({ ...this.target(admin), connectionLimit: 4, waitForConnections: true });
    // A server that goes away ends idle connections; the pool replaces them at the next query.
    pool.on('connection', (conn) => conn.on('error', () => undefined));
    this.#pool = pool;
  }

  private async ping(admin: AdminCredentials): Promise<boolean> {
    try {
      const conn = await this.lib().createConnection(this.target(admin));
      await conn.end();
      return true;
    } catch {
      return false;
    }
  }

  /** mysql2, loaded by the first `connect`, which every pool and ping follows. */
  private lib(): Mysql {
    if (!this.#mysql) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    return this.#mysql;
  }

  private pool(): mysql.Pool {
    if (!this.#pool) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    return this.#pool;
  }

  private async q<T = mysql.RowDataPacket[]>(sql: string, values: unknown[] = []): Promise<T> {
    // A CLI command runs with the plugin set up but not started: connect (adopt) at first use.
    if (!this.#pool && !this.#stopped) await this.start();
    try {
      const [rows] = await this.pool().query(sql, values);
      return rows as T;
    } catch (err) {
      // mysql2 keeps the formatted statement on the error: with a password in it, it must not
      // reach a log line.
      if (err && typeof err === 'object' && 'sql' in err) delete (err as { sql?: string }).sql;
      const code = (err as { code?: string }).code ?? '';
      if (/^(ECONNREFUSED|ENOENT|PROTOCOL_CONNECTION_LOST|ETIMEDOUT|ER_ACCESS_DENIED_ERROR)$/.test(code)) {
        throw DatabaseServerUnavailable(code);
      }
      throw err;
    }
  }

  async createDatabase(name: string): Promise<void> {
    assertDatabaseName(name);
    await this.q(`CREATE DATABASE IF NOT EXISTS ${id(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  }

  async dropDatabase(name: string): Promise<void> {
    assertDatabaseName(name);
    await this.q(`DROP DATABASE IF EXISTS ${id(name)}`);
  }

  async createUser(name: string, password: string): Promise<void> {
    assertDatabaseName(name);
    await this.q(`CREATE USER IF NOT EXISTS ${account(name)} IDENTIFIED BY ?`, [password]);
    await this.q(`ALTER USER ${account(name)} IDENTIFIED BY ?`, [password]);
  }

  async setPassword(name: string, password: string): Promise<void> {
    assertDatabaseName(name);
    await this.mustHaveUser(name);
    await this.q(`ALTER USER ${account(name)} IDENTIFIED BY ?`, [password]);
  }

  async dropUser(name: string): Promise<void> {
    assertDatabaseName(name);
    await this.q(`DROP USER IF EXISTS ${account(name)}`);
    // DROP USER leaves open sessions running: end them, so a removed user is really out.
    const sessions = await this.q<Array<{ ID: number }>>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [name]);
    for (const s of sessions) await this.q('KILL ?', [s.ID]).catch(() => undefined);
  }

  async grant(user: string, database: string): Promise<void> {
    assertDatabaseName(user);
    assertDatabaseName(database);
    await this.mustHaveUser(user);
    if ((await this.existingDatabases([database])).length === 0) throw DatabaseObjectMissing('database', database);
    await this.q(`GRANT ALL PRIVILEGES ON ${grantDb(database)}.* TO ${account(user)}`);
  }

  async revoke(user: string, database: string): Promise<void> {
    assertDatabaseName(user);
    assertDatabaseName(database);
    const held = await this.q<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.db WHERE User = ? AND Host = ? AND Db = ?', [
      user,
      USER_HOST,
      database.replace(/[_%]/g, (c) => `\\${c}`),
    ]);
    if (held.length === 0) return;
    await this.q(`REVOKE ALL PRIVILEGES ON ${grantDb(database)}.* FROM ${account(user)}`);
  }

  async grantsOf(user: string): Promise<string[]> {
    assertDatabaseName(user);
    const rows = await this.q<Array<{ Db: string }>>('SELECT Db FROM mysql.db WHERE User = ? AND Host = ?', [user, USER_HOST]);
    return rows.map((r) => r.Db.replace(/\\([_%])/g, '$1')).sort();
  }

  async sizeOf(database: string): Promise<number> {
    assertDatabaseName(database);
    if ((await this.existingDatabases([database])).length === 0) throw DatabaseObjectMissing('database', database);
    const [row] = await this.q<Array<{ size: string | number | null }>>(
      'SELECT COALESCE(SUM(data_length + index_length), 0) AS size FROM information_schema.TABLES WHERE table_schema = ?',
      [database],
    );
    return Number(row?.size ?? 0);
  }

  async existingDatabases(names: string[]): Promise<string[]> {
    names.forEach(assertDatabaseName);
    if (names.length === 0) return [];
    const rows = await this.q<Array<{ name: string }>>(
      'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)',
      [names],
    );
    return rows.map((r) => r.name).sort();
  }

  async existingUsers(names: string[]): Promise<string[]> {
    names.forEach(assertDatabaseName);
    if (names.length === 0) return [];
    const rows = await this.q<Array<{ name: string }>>('SELECT User AS name FROM mysql.user WHERE Host = ? AND User IN (?)', [
      USER_HOST,
      names,
    ]);
    return rows.map((r) => r.name).sort();
  }

  async status(): Promise<DatabaseServerStatus> {
    await this.#starting;
    const mode = this.managed ? 'managed' : 'external';
    const endpoint = {
      host: this.options.host,
      port: this.options.port,
      socket: this.managed ? this.managed.layout.socket : null,
    };
    if (this.#reason !== null) return { state: 'degraded', reason: this.#reason, version: null, mode, endpoint };
    try {
      const [row] = await this.q<Array<{ v: string }>>('SELECT VERSION() AS v');
      return { state: 'ready', reason: null, version: row?.v ?? null, mode, endpoint };
    } catch (err) {
      return { state: 'degraded', reason: err instanceof Error ? err.message : String(err), version: null, mode, endpoint };
    }
  }

  /** Arguments and environment for mariadb-dump and mariadb: the admin login, socket or TCP. */
  private async client(): Promise<{ args: string[]; env: Record<string, string> }> {
    if (!this.#pool && !this.#stopped) await this.start();
    const admin = this.#admin;
    if (!this.#pool || !admin) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    const where = this.managed
      ? [`--socket=${this.managed.layout.socket}`]
      : [`--host=${this.options.host}`, `--port=${this.options.port}`, '--protocol=TCP'];
    // --no-defaults: no my.cnf of the machine changes what a dump contains or where it goes.
    // The password travels in the child's environment (MYSQL_PWD), never on its command line.
    return { args: ['--no-defaults', `--user=${admin.user}`, ...where], env: { MYSQL_PWD: admin.password } };
  }

  async dump(database: string, out: Writable, options: DatabaseStreamOptions = {}): Promise<DatabaseDumpResult> {
    assertDatabaseName(database);
    if ((await this.existingDatabases([database])).length === 0) throw DatabaseObjectMissing('database', database);
    const { args, env } = await this.client();
    // --single-transaction: one consistent view of InnoDB tables without locking customers out.
    // No --databases: the dump names no database, so it loads into whichever one it is given.
    // --skip-dump-date: the same data gives the same bytes, which restic then stores once.
    const { bytes } = await streamProgram(
      this.options.dumpBinary ?? '/usr/bin/mariadb-dump',
      [
        ...args,
        '--single-transaction',
        '--routines',
        '--triggers',
        '--events',
        '--hex-blob',
        '--default-character-set=utf8mb4',
        '--skip-dump-date',
        '--',
        database,
      ],
      { env, output: out, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return { bytes, format: this.dumpFormat };
  }

  async restoreDump(database: string, input: Readable, options: DatabaseStreamOptions = {}): Promise<void> {
    const release = catchEarly(input);
    try {
      await this.load(database, input, options);
    } finally {
      release();
    }
  }

  private async load(database: string, input: Readable, options: DatabaseStreamOptions): Promise<void> {
    assertDatabaseName(database);
    if ((await this.existingDatabases([database])).length === 0) throw DatabaseObjectMissing('database', database);
    const { args, env } = await this.client();
    // Emptied by drop and create: grants live in mysql.db under the database's name, so the
    // users that held them hold them again on the new one.
    await this.q(`DROP DATABASE IF EXISTS ${id(database)}`);
    await this.createDatabase(database);
    await streamProgram(
      this.options.clientBinary ?? '/usr/bin/mariadb',
      [...args, '--binary-mode', '--default-character-set=utf8mb4', `--database=${database}`],
      { env, input, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }

  private async mustHaveUser(name: string): Promise<void> {
    if ((await this.existingUsers([name])).length === 0) throw DatabaseObjectMissing('user', name);
  }
}
