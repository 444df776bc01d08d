/**
 * The database server extension point. The databases plugin owns the desired state (which
 * customer has which databases and users) in PostgreSQL; a driver (`plugins/databases-mariadb`,
 * `plugins/databases-postgresql`, or a third party's) makes one database server match it.
 *
 * Names reach a driver already validated by the databases plugin (see {@link DATABASE_NAME_PATTERN}),
 * but a driver checks them again and refuses anything else with {@link DatabaseNameInvalid}:
 * a name ends up inside SQL identifiers, so a driver never trusts its caller.
 *
 * Every method is idempotent: creating what exists, or dropping what is gone, succeeds, so the
 * databases plugin can retry after a crash without asking what the server already has.
 */
import type { Readable, Writable } from 'node:stream';
import { defineError } from './errors.js';

/**
 * Names a driver accepts for databases and users: lower-case ASCII letters, digits and `_`,
 * starting with a letter, at most 48 characters (within MariaDB's 64 for databases and 80 for
 * users, and PostgreSQL's 63 for both).
 */
export const DATABASE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

/** Where applications reach the server (what a `wp-config.php` or `.env` needs besides credentials). */
export interface DatabaseEndpoint {
  /** Host name or address applications connect to, e.g. `127.0.0.1`. */
  host: string;
  port: number;
  /** Unix socket path when the server has one applications may use; null otherwise. */
  socket: string | null;
}

/** State of the server a driver drives. */
export interface DatabaseServerStatus {
  /** `ready`: databases can be created; `degraded`: they cannot, `reason` says why. */
  state: 'ready' | 'degraded';
  reason: string | null;
  /** Server version as the server reports it, e.g. `10.11.19-MariaDB`; null when unreachable. */
  version: string | null;
  /** `managed`: the driver runs the server itself; `external`: an existing server reached with admin credentials. */
  mode: 'managed' | 'external';
  endpoint: DatabaseEndpoint | null;
}

/** Options of {@link DatabaseServer.dump} and {@link DatabaseServer.restoreDump}. */
export interface DatabaseStreamOptions {
  /** Aborting stops the engine's client program at once; the call then rejects. */
  signal?: AbortSignal;
}

/** What {@link DatabaseServer.dump} wrote. */
export interface DatabaseDumpResult {
  /** Bytes written to the output. */
  bytes: number;
  /**
   * The dump's format, e.g. `mariadb-sql` or `postgresql-sql`: a {@link DatabaseServer.restoreDump}
   * of a driver whose {@link DatabaseServer.dumpFormat} is the same reads it.
   */
  format: string;
}

/**
 * A database server driver. Implementations register it with
 * `ctx.extend(extensionPoints.databaseServer, driver)` and name `database-server` in `provides`.
 */
export interface DatabaseServer {
  /** Driver id, unique among enabled drivers, e.g. `mariadb`. Stored with each database. */
  readonly id: string;
  /** The engine people choose, e.g. `mariadb` or `postgresql` (a client program talks to it). */
  readonly engine: string;
  /** Create an empty database (UTF-8). Exists already: nothing changes. */
  createDatabase(name: string): Promise<void>;
  /** Drop the database and everything in it. Absent: nothing happens. */
  dropDatabase(name: string): Promise<void>;
  /**
   * Create a login user with this password, with no privileges at all. Exists already: its
   * password is set to `password` (so a retried create ends with the password the caller holds).
   */
  createUser(name: string, password: string): Promise<void>;
  /** Change a user's password. Throws {@link DatabaseObjectMissing} when the user does not exist. */
  setPassword(name: string, password: string): Promise<void>;
  /** Drop the user (its sessions end). Absent: nothing happens. */
  dropUser(name: string): Promise<void>;
  /**
   * Give `user` every privilege on `database` and on nothing else (no server-wide privilege, no
   * `GRANT OPTION`, no other database whose name merely matches a pattern). Both must exist
   * ({@link DatabaseObjectMissing} otherwise).
   */
  grant(user: string, database: string): Promise<void>;
  /** Take back what {@link grant} gave. Either absent: nothing happens. */
  revoke(user: string, database: string): Promise<void>;
  /** Databases `user` holds privileges on, sorted (what {@link grant} gave, as the server sees it). */
  grantsOf(user: string): Promise<string[]>;
  /** Size of the database on disk in bytes; {@link DatabaseObjectMissing} when absent. */
  sizeOf(database: string): Promise<number>;
  /** Which of `names` exist as databases (for drift checks and tests). */
  existingDatabases(names: string[]): Promise<string[]>;
  /** Which of `names` exist as users. */
  existingUsers(names: string[]): Promise<string[]>;
  /** Is the server usable, and where applications reach it. */
  status(): Promise<DatabaseServerStatus>;
  /**
   * The format {@link dump} writes and {@link restoreDump} reads (`mariadb-sql`, `postgresql-sql`).
   * Present exactly when both methods are: backups of a driver without them keep files only.
   */
  readonly dumpFormat?: string;
  /**
   * Stream a consistent dump of `database` (one transaction's view; tables, views, routines,
   * triggers, owners and object privileges) into `out`, in the engine's own text format.
   *
   * `out` is written with its back-pressure respected and is **never ended** by the driver: the
   * caller ends it once the promise resolved. A rejection means the dump is incomplete and must
   * be thrown away (a backup made of it is not a backup): `restic backup --stdin` is stopped
   * before it sees the end of its input, so it keeps no snapshot. An error of `out` (the reader
   * went away) stops the dump and rejects. {@link DatabaseObjectMissing} when the database does
   * not exist; {@link DatabaseNameInvalid} for a bad name.
   */
  dump?(database: string, out: Writable, options?: DatabaseStreamOptions): Promise<DatabaseDumpResult>;
  /**
   * Replace everything in `database` with the dump read from `input` to its end (a dump of
   * {@link dump} of the same {@link dumpFormat}): the database is emptied first, so objects made
   * after the dump are gone, and the users that held privileges on it (through {@link grant})
   * hold them again afterwards. The database must exist ({@link DatabaseObjectMissing}).
   *
   * An error of `input` (the dump could not be read to its end) stops the engine's client before
   * it sees an end of input and rejects; the database is then incomplete until a restore
   * succeeds. Running the same restore again is safe and gives the same content.
   */
  restoreDump?(database: string, input: Readable, options?: DatabaseStreamOptions): Promise<void>;
}

/** A site's own database and user, with the password just issued. */
export interface SiteDatabase {
  /** Id of the database in the databases plugin (`/v1/databases/:id`). */
  databaseId: string;
  engine: string;
  database: string;
  user: string;
  /** `host:port` an application on this machine connects to. */
  host: string;
  /** Issued by this call; the previous one (if any) no longer works. Never stored by the issuer. */
  password: string;
}

/**
 * Databases made for a website (its WordPress database): implemented by the databases plugin,
 * looked up by the websites plugin through `extensionPoints.siteDatabases`, so websites work
 * without it (a site then uses the credentials of the websites plugin's config).
 */
export interface SiteDatabases {
  /**
   * The site's database and user, created at the first call (named with the owner's prefix,
   * counted against the subscription's `databases` limit, on a server of `engine`); a later
   * call for the same `siteId` returns the same ones with a new password.
   */
  issueForSite(site: {
    siteId: string;
    siteName: string;
    ownerId: string;
    subscriptionId: string;
    engine: string;
  }): Promise<SiteDatabase>;
  /** Drop the site's database and its users and release the limit; false when the site has none. */
  removeForSite(siteId: string): Promise<boolean>;
  /**
   * Databases to back up with a site or a customer: those made for the site (`siteId`), or all
   * of a customer's (`ownerId`). Optional: a provider without it leaves backups to files.
   */
  listDatabases?(filter: { siteId?: string; ownerId?: string }): Promise<SiteDatabaseRef[]>;
}

/** A database as another plugin (backups) names it: where it lives, never a credential. */
export interface SiteDatabaseRef {
  /** Id in the databases plugin (`/v1/databases/:id`). */
  databaseId: string;
  /** Full name on its server. */
  name: string;
  /** Id of the {@link DatabaseServer} driver holding it. */
  server: string;
  engine: string;
  ownerId: string;
  /** The website it was made for, or null. */
  siteId: string | null;
}

/** A name outside {@link DATABASE_NAME_PATTERN} (HTTP 400). */
export const DatabaseNameInvalid = defineError(
  'DBSERVER_ERR_NAME_INVALID',
  400,
  (name: string) =>
    `"${name}" is not a valid database or user name: lower-case letters, digits and _, a letter first, 48 at most`,
  (name: string) => ({ name }),
);

/** The user or database an operation needs does not exist on the server (HTTP 404). */
export const DatabaseObjectMissing = defineError(
  'DBSERVER_ERR_MISSING',
  404,
  (kind: 'database' | 'user', name: string) => `the ${kind} ${name} does not exist on the database server`,
  (kind: 'database' | 'user', name: string) => ({ kind, name }),
);

/** No server to talk to (not started, unreachable, bad admin credentials); retry later (HTTP 503). */
export const DatabaseServerUnavailable = defineError(
  'DBSERVER_ERR_UNAVAILABLE',
  503,
  (reason: string) => `the database server is not available: ${reason}`,
  (reason: string) => ({ reason }),
);

/** Throw {@link DatabaseNameInvalid} unless `name` matches {@link DATABASE_NAME_PATTERN}. */
export function assertDatabaseName(name: string): void {
  if (typeof name !== 'string' || !DATABASE_NAME_PATTERN.test(name)) throw DatabaseNameInvalid(name);
}
