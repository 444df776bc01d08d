/**
 * The `database-server` extension point on PostgreSQL. Names are checked against the SDK's
 * pattern before they are quoted into identifiers; passwords are quoted literals (utility
 * statements take no parameters) sent to the server, which hashes them (scram-sha-256).
 *
 * Isolation between customers: a new database loses PostgreSQL's default `CONNECT`/`TEMP` for
 * PUBLIC, so only roles granted on it can even connect; a grant gives `CONNECT, CREATE, TEMP` on
 * the database and `USAGE, CREATE` on its `public` schema plus what already exists there.
 * Customers' roles are plain logins: no superuser, createdb, createrole, replication or bypassrls.
 */
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import {
  assertDatabaseName,
  DATABASE_NAME_PATTERN,
  DatabaseObjectMissing,
  DatabaseServerUnavailable,
  type DatabaseDumpResult,
  type DatabaseServer,
  type DatabaseServerStatus,
  type DatabaseStreamOptions,
  type Logger,
} from '@hostplane/sdk';
import pg from 'pg';
import type { PostgresConfig } from '../config.js';
import { ManagedCluster, type AdminCredentials } from './server.js';
import { catchEarly, streamProgram } from '@hostplane/sdk/programs';

export type DriverOptions = PostgresConfig & { logger: Pick<Logger, 'info' | 'warn' | 'error'> };

/** Roles the platform made (its names); another holder (set up by hand) is left to the admin. */
const platformRole = (name: string): boolean => DATABASE_NAME_PATTERN.test(name);
const ident = (name: string): string => `"${name}"`;
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const UNAVAILABLE = /^(ECONNREFUSED|ENOENT|ETIMEDOUT|57P01|57P03|28P01|28000)$/;

export class PostgresDriver implements DatabaseServer {
  readonly id = 'postgresql';
  readonly engine = 'postgresql';
  readonly dumpFormat = 'postgresql-sql';
  readonly managed: ManagedCluster | null;
  #pool: pg.Pool | null = null;
  #admin: AdminCredentials | null = null;
  #reason: string | null = 'not started';
  #starting: Promise<void> | null = null;
  #stopped = false;

  constructor(private readonly options: DriverOptions) {
    this.managed = options.mode === 'managed' ? new ManagedCluster(options) : null;
  }

  start(): Promise<void> {
    this.#stopped = false;
    this.#starting ??= this.connect().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  private async connect(): Promise<void> {
    try {
      let admin: AdminCredentials;
      if (this.managed) {
        const missing = this.managed.preflight();
        if (missing) throw new Error(missing);
        const result = await this.managed.ensureRunning((a) => this.ping(a));
        admin = result.admin;
        this.options.logger.info(
          { data: this.managed.layout.data, adopted: result.adopted },
          result.adopted ? 'adopted the running cluster' : 'cluster started',
        );
      } else {
        admin = { user: this.options.adminUser, password: this.options.adminPassword };
        if (!(await this.ping(admin)))
          throw new Error(`cannot log in to ${this.options.host}:${this.options.port} as ${admin.user}`);
      }
      this.#admin = admin;
      void this.#pool?.end().catch(() => undefined);
      this.#pool = new pg.Pool({ ...this.target(admin, this.adminDatabase()), max: 4 });
      this.#pool.on('error', () => undefined);
      this.#reason = null;
    } catch (err) {
      this.#reason = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ reason: this.#reason }, 'PostgreSQL not available');
    }
  }

  async stop(options: { keepServer?: boolean } = {}): Promise<void> {
    await this.#starting;
    this.#stopped = true;
    const pool = this.#pool;
    this.#pool = null;
    this.#reason = 'stopped';
    await pool?.end().catch(() => undefined);
    if (this.managed && !options.keepServer) await this.managed.stop();
  }

  private adminDatabase(): string {
    return this.managed ? 'postgres' : this.options.adminDatabase;
  }

  private target(admin: AdminCredentials, database: string): pg.ClientConfig {
    // Managed: the admin reaches the cluster over its own socket folder only.
    const host = this.managed ? this.managed.layout.run : this.options.host;
    return {
      host,
      port: this.options.port,
      user: admin.user,
      password: admin.password,
      database,
      connectionTimeoutMillis: 5_000,
    };
  }

  private async ping(admin: AdminCredentials): Promise<boolean> {
    const client = new pg.Client(this.target(admin, this.adminDatabase()));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async q<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    if (!this.#pool && !this.#stopped) await this.start();
    if (!this.#pool) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    try {
      return (await this.#pool.query<R>(sql, values)).rows;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Run `fn` on a connection to one database as the admin (grants live inside each database). */
  private async inDatabase(database: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
    if (!this.#admin) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    const client = new pg.Client(this.target(this.#admin, database));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await fn(client);
    } catch (err) {
      throw this.translate(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private translate(err: unknown): unknown {
    const code = (err as { code?: string }).code ?? '';
    return UNAVAILABLE.test(code) ? DatabaseServerUnavailable(code) : err;
  }

  async createDatabase(name: string): Promise<void> {
    assertDatabaseName(name);
    if ((await this.existingDatabases([name])).length === 0) {
      try {
        await this.q(`CREATE DATABASE ${ident(name)} ENCODING 'UTF8' TEMPLATE template0`);
      } catch (err) {
        // 42P04: created meanwhile by a concurrent call; the outcome is the same.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
    await this.q(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
  }

  async dropDatabase(name: string): Promise<void> {
    assertDatabaseName(name);
    // FORCE ends the sessions still connected to it (PostgreSQL 13+).
    await this.q(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
  }

  async createUser(name: string, password: string): Promise<void> {
    assertDatabaseName(name);
    const options = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${literal(password)}`;
    if ((await this.existingUsers([name])).length === 0) {
      try {
        await this.q(`CREATE ROLE ${ident(name)} ${options}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '42710') throw err;
      }
    }
    await this.q(`ALTER ROLE ${ident(name)} ${options}`);
  }

  async setPassword(name: string, password: string): Promise<void> {
    assertDatabaseName(name);
    await this.mustHave('user', name);
    await this.q(`ALTER ROLE ${ident(name)} PASSWORD ${literal(password)}`);
  }

  async dropUser(name: string): Promise<void> {
    assertDatabaseName(name);
    if ((await this.existingUsers([name])).length === 0) return;
    await this.q('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [name]);
    // A role that owns objects or holds privileges cannot be dropped: hand its objects to the
    // admin and drop its privileges in every database that records a dependency on it.
    const databases = await this.q<{ datname: string }>(
      `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
        WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
      [name],
    );
    for (const { datname } of databases) {
      await this.inDatabase(datname, async (c) => {
        await c.query(`REASSIGN OWNED BY ${ident(name)} TO CURRENT_USER`);
        await c.query(`DROP OWNED BY ${ident(name)}`);
      });
    }
    for (const db of await this.grantsOf(name)) await this.q(`REVOKE ALL ON DATABASE ${ident(db)} FROM ${ident(name)}`);
    await this.q(`DROP ROLE IF EXISTS ${ident(name)}`);
  }

  async grant(user: string, database: string): Promise<void> {
    assertDatabaseName(user);
    assertDatabaseName(database);
    await this.mustHave('user', user);
    await this.mustHave('database', database);
    await this.q(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${ident(database)} TO ${ident(user)}`);
    await this.inDatabase(database, async (c) => {
      await c.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${ident(user)}`);
      await c.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${ident(user)}`);
      await c.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${ident(user)}`);
      await this.shareFutureObjects(c, user, 'GRANT');
    });
  }

  /**
   * Tables and sequences one user of a database creates later are the others' too, both ways
   * (default privileges are per creating role): otherwise a table made by a second user, or in
   * Adminer by its temporary login (decision 0080), would be out of reach of the database's
   * other users, and after that login is dropped, owned by the admin alone. Only the other
   * platform-made roles that may connect to this database take part (never the admin or a
   * superuser). Acting for a role needs membership in it: an external admin that is no
   * superuser may lack it, and then the known limit stays (README) rather than the grant failing.
   */
  private async shareFutureObjects(c: pg.Client, user: string, how: 'GRANT' | 'REVOKE'): Promise<void> {
    const { rows } = await c.query<{ rolname: string }>(
      `SELECT DISTINCT r.rolname FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee
        WHERE d.datname = current_database() AND a.privilege_type = 'CONNECT'
          AND NOT r.rolsuper AND r.rolname <> current_user AND r.rolname <> $1`,
      [user],
    );
    const clause = how === 'GRANT' ? 'GRANT ALL ON {kind} TO' : 'REVOKE ALL ON {kind} FROM';
    for (const other of rows.map((r) => r.rolname).filter(platformRole)) {
      for (const [owner, grantee] of [
        [user, other],
        [other, user],
      ] as const) {
        for (const kind of ['TABLES', 'SEQUENCES']) {
          try {
            await c.query(
              `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(owner)} IN SCHEMA public ${clause.replace('{kind}', kind)} ${ident(grantee)}`,
            );
          } catch (err) {
            if ((err as { code?: string }).code !== '42501') throw err;
            this.options.logger.warn({ owner, grantee }, 'cannot share future tables between these roles (not a member)');
            return;
          }
        }
      }
    }
  }

  async revoke(user: string, database: string): Promise<void> {
    assertDatabaseName(user);
    assertDatabaseName(database);
    if ((await this.existingUsers([user])).length === 0 || (await this.existingDatabases([database])).length === 0) return;
    await this.q(`REVOKE ALL ON DATABASE ${ident(database)} FROM ${ident(user)}`);
    await this.inDatabase(database, async (c) => {
      await this.shareFutureObjects(c, user, 'REVOKE');
      await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${ident(user)}`);
      await c.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${ident(user)}`);
      await c.query(`REVOKE ALL ON SCHEMA public FROM ${ident(user)}`);
    });
    // Sessions opened under the grant end with it.
    await this.q('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND datname = $2', [user, database]);
  }

  async grantsOf(user: string): Promise<string[]> {
    assertDatabaseName(user);
    // Explicit grants only (PUBLIC's defaults on system databases are not this user's).
    const rows = await this.q<{ datname: string }>(
      `SELECT DISTINCT d.datname FROM pg_database d, aclexplode(d.datacl) a
        WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) ORDER BY d.datname`,
      [user],
    );
    return rows.map((r) => r.datname);
  }

  async sizeOf(database: string): Promise<number> {
    assertDatabaseName(database);
    await this.mustHave('database', database);
    const [row] = await this.q<{ size: string }>('SELECT pg_database_size($1::text)::text AS size', [database]);
    return Number(row?.size ?? 0);
  }

  async existingDatabases(names: string[]): Promise<string[]> {
    names.forEach(assertDatabaseName);
    if (names.length === 0) return [];
    const rows = await this.q<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname', [
      names,
    ]);
    return rows.map((r) => r.datname);
  }

  async existingUsers(names: string[]): Promise<string[]> {
    names.forEach(assertDatabaseName);
    if (names.length === 0) return [];
    const rows = await this.q<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname', [
      names,
    ]);
    return rows.map((r) => r.rolname);
  }

  async status(): Promise<DatabaseServerStatus> {
    await this.#starting;
    const mode = this.managed ? 'managed' : 'external';
    const endpoint = { host: this.options.host, port: this.options.port, socket: null };
    if (this.#reason !== null) return { state: 'degraded', reason: this.#reason, version: null, mode, endpoint };
    try {
      const [row] = await this.q<{ v: string }>("SELECT current_setting('server_version') AS v");
      return { state: 'ready', reason: null, version: row ? `${row.v}-PostgreSQL` : null, mode, endpoint };
    } catch (err) {
      return { state: 'degraded', reason: err instanceof Error ? err.message : String(err), version: null, mode, endpoint };
    }
  }

  /** Arguments and environment for pg_dump and psql: the admin login, over the socket when managed. */
  private async client(database: string): Promise<{ args: string[]; env: Record<string, string> }> {
    if (!this.#pool && !this.#stopped) await this.start();
    const admin = this.#admin;
    if (!this.#pool || !admin) throw DatabaseServerUnavailable(this.#reason ?? 'not started');
    const target = this.target(admin, database);
    return {
      // --no-password: never wait for a prompt; the password is in the child's environment only.
      args: ['--no-password', `--host=${String(target.host)}`, `--port=${String(target.port)}`, `--username=${admin.user}`],
      // PGSERVICEFILE / PGPASSFILE of the machine must not change where a dump goes.
      env: { PGPASSWORD: admin.password, PGDATABASE: database, PGSERVICEFILE: '/dev/null', PGPASSFILE: '/dev/null' },
    };
  }

  async dump(database: string, out: Writable, options: DatabaseStreamOptions = {}): Promise<DatabaseDumpResult> {
    assertDatabaseName(database);
    await this.mustHave('database', database);
    const { args, env } = await this.client(database);
    // Plain SQL with owners and privileges: a restore gives tables back to the roles that owned
    // them (WordPress upgrades ALTER their own tables). pg_dump reads one snapshot of the database.
    const { bytes } = await streamProgram(
      path.join(this.options.binDir, 'pg_dump'),
      [...args, '--format=plain', '--encoding=UTF8'],
      {
        env,
        output: out,
        ...(options.signal ? { signal: options.signal } : {}),
      },
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
    await this.mustHave('database', database);
    // Database-level grants (CONNECT …) are not in a database's dump: remember who held them.
    const holders = await this.q<{ rolname: string }>(
      `SELECT DISTINCT r.rolname FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee
        WHERE d.datname = $1 AND a.grantee <> d.datdba ORDER BY r.rolname`,
      [database],
    );
    await this.dropDatabase(database);
    await this.createDatabase(database);
    const { args, env } = await this.client(database);
    // One transaction, stopping at the first error: a dump that fails to load leaves the
    // database empty (as dropped above), never half loaded.
    await streamProgram(
      path.join(this.options.binDir, 'psql'),
      [...args, '--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', '--output=/dev/null'],
      { env, input, ...(options.signal ? { signal: options.signal } : {}) },
    );
    for (const { rolname } of holders) {
      if (platformRole(rolname)) await this.grant(rolname, database);
    }
  }

  private async mustHave(kind: 'user' | 'database', name: string): Promise<void> {
    const found = kind === 'user' ? await this.existingUsers([name]) : await this.existingDatabases([name]);
    if (found.length === 0) throw DatabaseObjectMissing(kind, name);
  }
}
