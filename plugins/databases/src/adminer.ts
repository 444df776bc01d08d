/**
 * Adminer by single sign-on (decision 0075). A customer asks for a link to one of their
 * databases; we make a temporary database user holding privileges on that database alone, and
 * write its login into a token file in the Adminer launcher's folder (served by webserver-nginx,
 * readable only by the Adminer pool's user). The link carries a random one-time token; the file
 * is named by the token's SHA-256, so the folder never holds the token itself. The launcher
 * claims the file by renaming it (one redeemer wins), deletes it and logs in to Adminer
 * server-side: the password never reaches the browser. A schedule deletes tokens nobody used
 * and drops each temporary user once its Adminer session may have ended.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Actor, AuditService, ClockService, Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DatabasesConfig } from './config.js';
import type { DatabasesService, RequestInfo } from './databases-service.js';
import { DatabasesErrors } from './errors.js';
import { generatePassword } from './names.js';
import type { DatabaseRow, DatabaseStore } from './store.js';

/** A row of `adminer_logins`. */
export interface AdminerLoginRow {
  id: string;
  database_id: string;
  requested_by: string | null;
  server: string;
  db_user: string;
  token_hash: string;
  expires_at: Date;
  created_at: Date;
}

/** The link handed to the caller. */
export interface AdminerLink {
  url: string;
  expiresAt: string;
}

/**
 * Adminer's driver name for an engine (its `auth[driver]`, and the query parameter naming the
 * server in its addresses). PostgreSQL needs php-pgsql in the Adminer pool (decision 0080).
 */
export const ADMINER_DRIVERS: Readonly<Record<string, string>> = { mariadb: 'server', mysql: 'server', postgresql: 'pgsql' };

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The launcher's token folder: as configured, else where webserver-nginx's default root puts it. */
export function tokenDirOf(config: Pick<DatabasesConfig, 'adminerTokenDir'>, env: NodeJS.ProcessEnv = process.env): string {
  return config.adminerTokenDir || path.resolve(env.HOSTPLANE_DATA_DIR || './.hostplane', 'webserver', 'adminer', 'tokens');
}

export interface AdminerDeps {
  store: DatabaseStore;
  service: DatabasesService;
  audit: AuditService;
  config: () => DatabasesConfig;
  clock: ClockService;
  logger: Pick<Logger, 'warn'>;
}

export class AdminerLogins {
  constructor(private readonly deps: AdminerDeps) {}

  private table(trx?: Knex.Transaction) {
    return this.deps.store.db.table<AdminerLoginRow>('adminer_logins', trx);
  }

  /** A one-time link logging `actor` in to Adminer on database `id` (in their subtree) only. */
  async issue(actor: Actor, id: string, info: RequestInfo): Promise<AdminerLink> {
    const { store, service } = this.deps;
    const config = this.deps.config();
    if (!config.adminerUrl) throw DatabasesErrors.adminerOff('no Adminer address is configured');
    const dir = tokenDirOf(config);
    const owner = await fs.stat(dir).catch(() => null);
    if (!owner?.isDirectory()) throw DatabasesErrors.adminerOff(`the Adminer token folder ${dir} does not exist`);

    const token = randomBytes(32).toString('base64url');
    const dbUser = `hpadminer_${randomBytes(10).toString('hex')}`;
    const password = generatePassword(Math.max(32, config.passwordLength));
    const expiresAt = new Date(this.deps.clock.now().getTime() + config.adminerTokenSeconds * 1000);
    let made: { server: ReturnType<DatabasesService['server']>; file: string } | undefined;
    try {
      return await store.db.transaction(async (trx) => {
        const database = await store.scopedOne(actor, id, trx);
        const driver = ADMINER_DRIVERS[database.engine];
        if (!driver) throw DatabasesErrors.adminerOff(`Adminer does not support ${database.engine} databases here`);
        const server = service.server(database.server);
        const endpoint = (await server.status()).endpoint;
        if (!endpoint) throw DatabasesErrors.adminerOff(`the ${database.server} server is not reachable`);
        await this.table(trx).insert({
          database_id: database.id,
          requested_by: actor.userId,
          server: database.server,
          db_user: dbUser,
          token_hash: tokenHash(token),
          expires_at: expiresAt,
        });
        await this.deps.audit.record(
          {
            action: 'databases.adminer.issued',
            actorId: info.actorId,
            target: { type: 'database', id: database.id },
            details: { name: database.name, user: dbUser, expiresAt: expiresAt.toISOString() },
            ip: info.ip ?? null,
            requestId: info.requestId ?? null,
          },
          { trx },
        );
        // Last: the server and the folder change once everything else has been accepted.
        const file = path.join(dir, `${tokenHash(token)}.json`);
        made = { server, file };
        await server.createUser(dbUser, password);
        await server.grant(dbUser, database.name);
        await writeTokenFile(file, owner, {
          driver,
          server: `${endpoint.host}:${endpoint.port}`,
          username: dbUser,
          password,
          db: database.name,
          expiresAt: Math.floor(expiresAt.getTime() / 1000),
        });
        const base = config.adminerUrl;
        return { url: `${base}${base.includes('?') ? '&' : '?'}hostplane=${token}`, expiresAt: expiresAt.toISOString() };
      });
    } catch (err) {
      // Nothing half-made: the row rolled back, so the user and the file go too.
      if (made) {
        const { server, file } = made;
        await fs.rm(file, { force: true }).catch(() => undefined);
        await server.dropUser(dbUser).catch((e: unknown) => this.deps.logger.warn({ err: e }, 'adminer user not dropped'));
      }
      throw err;
    }
  }

  /**
   * Delete tokens nobody redeemed in time (and their users), and drop the users of Adminer
   * logins older than the session length. Returns how many logins ended.
   */
  async sweep(now = this.deps.clock.now()): Promise<number> {
    const config = this.deps.config();
    const sessionStart = new Date(now.getTime() - config.adminerSessionMinutes * 60_000);
    const rows = (await this.table().where('expires_at', '<', now).select('*')) as unknown as AdminerLoginRow[];
    let ended = 0;
    for (const row of rows) {
      const file = path.join(tokenDirOf(config), `${row.token_hash}.json`);
      // Still there after expiry: never redeemed (the launcher renames it away first).
      const unused = await fs.rm(file).then(
        () => true,
        () => false,
      );
      if (unused || row.created_at < sessionStart) {
        if (await this.end(row)) ended += 1;
      }
    }
    return ended;
  }

  /**
   * Forget every Adminer login of a database being deleted, in its transaction; the returned
   * step (run last, with the other server changes) deletes their token files and drops their users.
   */
  async endAllOf(database: DatabaseRow, trx: Knex.Transaction): Promise<() => Promise<void>> {
    const rows = (await this.table(trx).where({ database_id: database.id }).select('*')) as unknown as AdminerLoginRow[];
    await this.table(trx).where({ database_id: database.id }).delete();
    const dir = tokenDirOf(this.deps.config());
    return async () => {
      for (const row of rows) {
        await fs.rm(path.join(dir, `${row.token_hash}.json`), { force: true });
        await this.deps.service.server(row.server).dropUser(row.db_user);
      }
    };
  }

  private async end(row: AdminerLoginRow): Promise<boolean> {
    try {
      await this.deps.service.server(row.server).dropUser(row.db_user);
      await this.table().where({ id: row.id }).delete();
      return true;
    } catch (err) {
      // The next sweep retries (dropUser is idempotent).
      this.deps.logger.warn({ err, user: row.db_user }, 'adminer user not dropped');
      return false;
    }
  }
}

/** Write the login as a file only the launcher's user reads: 0600, owned like the folder. */
async function writeTokenFile(file: string, owner: { uid: number; gid: number }, login: Record<string, unknown>): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, JSON.stringify(login), { mode: 0o600, flag: 'wx' });
    if (process.getuid?.() === 0 && owner.uid !== 0) await fs.chown(tmp, owner.uid, owner.gid);
    await fs.rename(tmp, file);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
