/**
 * Changes to customers' databases. Each change is one PostgreSQL transaction that checks and
 * records it (limits, names, audit) and ends with the driver's call, so a refusal by the server
 * rolls everything back; a commit that fails after the server changed is undone on the server
 * (the driver's calls are idempotent, so the undo is safe to repeat). Passwords are generated
 * here, handed to the driver and to the caller once, and never stored.
 */
import type {
  Actor,
  AuditService,
  DatabaseServer,
  LimitsService,
  Logger,
  SiteDatabase,
  SiteDatabaseRef,
  TenancyService,
  UsersService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { DatabasesConfig } from './config.js';
import { DatabasesErrors } from './errors.js';
import { basePrefix, generatePassword, suffixProblem } from './names.js';
import type { DatabaseRow, DatabaseStore, DatabaseUserRow, SubscriptionInfo } from './store.js';

/** The platform itself: what the CLI and the site-databases extension act as (super admin scope, owns nothing). */
export const PLATFORM: Actor = { userId: '00000000-0000-0000-0000-000000000000', role: 'super_admin', permissions: new Set() };
const SYSTEM_INFO = { actorId: null };

/** Who asked, for audit entries. */
export interface RequestInfo {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

export interface CreateDatabaseInput {
  /** The part after the prefix. */
  name: string;
  /** Driver id; default: the config's `defaultServer` or the first enabled driver. */
  server?: string;
  subscriptionId?: string;
}

export interface DatabasesServiceDeps {
  store: DatabaseStore;
  limits: LimitsService;
  audit: AuditService;
  tenancy: TenancyService;
  users: Pick<UsersService, 'get'>;
  config: () => DatabasesConfig;
  servers: () => DatabaseServer[];
  logger: Pick<Logger, 'warn'>;
}

/** A user with the password it was just given (shown once). */
export interface IssuedCredentials {
  user: DatabaseUserRow;
  password: string;
}

export class DatabasesService {
  /**
   * Called inside a delete's transaction before its rows go (Adminer forgets its logins); the
   * step it returns runs last, with the server's changes (Adminer drops their users).
   */
  beforeRemove: ((row: DatabaseRow, trx: Knex.Transaction) => Promise<() => Promise<void>>) | null = null;

  constructor(private readonly deps: DatabasesServiceDeps) {}

  /** The driver with this id, or the default one. */
  server(id?: string | null): DatabaseServer {
    const all = this.deps.servers();
    const wanted = id || this.deps.config().defaultServer || all[0]?.id || null;
    const found = all.find((s) => s.id === wanted);
    if (!found)
      throw DatabasesErrors.noServer(
        wanted,
        all.map((s) => s.id),
      );
    return found;
  }

  /** Create a database of the subscription's customer, counted against the package's `databases` limit. */
  async create(
    actor: Actor,
    input: CreateDatabaseInput,
    info: RequestInfo,
    options: { siteId?: string } = {},
  ): Promise<DatabaseRow> {
    const problem = suffixProblem(input.name);
    if (problem) throw DatabasesErrors.nameInvalid('/body/name', problem);
    const server = this.server(input.server);
    const { store } = this.deps;
    // Outside the transaction: a second pool connection per create inside it starves a burst.
    const subscription = await this.subscriptionFor(actor, input.subscriptionId);
    const customer = await this.deps.users.get(subscription.customerId);
    if (!customer) throw DatabasesErrors.subscriptionInvalid(`No subscription ${subscription.id}`);
    let created: DatabaseRow | undefined;
    try {
      return await store.db.transaction(async (trx) => {
        const prefix = await store.prefixOf(customer.id, basePrefix(customer.email), trx);
        const name = `${prefix}_${input.name}`;
        const [row] = (await store
          .databases(trx)
          .insert({
            server: server.id,
            engine: server.engine,
            name,
            owner_id: customer.id,
            subscription_id: subscription.id,
            site_id: options.siteId ?? null,
          })
          .onConflict(['server', 'name'])
          .ignore()
          .returning('*')) as DatabaseRow[];
        if (!row) throw DatabasesErrors.nameTaken(name);
        // Locks the subscription's usage row until commit: parallel creates take turns here,
        // so the limit holds however many arrive at once.
        await this.deps.limits.assert(subscription.id, 'databases', 1, { trx });
        await this.audit(info, 'databases.database.created', row.id, { name, server: server.id }, trx);
        // Last: the server changes only once everything else has been accepted.
        await server.createDatabase(name);
        created = row;
        return row;
      });
    } catch (err) {
      // The server has it but the commit failed: take it back so nothing is half-made.
      if (created) await this.undo(() => server.dropDatabase(created?.name as string));
      throw err;
    }
  }

  /** Drop a database with its users and release its place in the limit. `confirm` must be its name. */
  async remove(actor: Actor, id: string, confirm: string | undefined, info: RequestInfo): Promise<DatabaseRow> {
    const { store } = this.deps;
    return store.db.transaction(async (trx) => {
      const row = await store.scopedOne(actor, id, trx, true);
      if (confirm !== row.name) throw DatabasesErrors.confirmMismatch(row.name);
      // First: its Adminer logins' rows would go with the database's row (on delete cascade).
      const endAdminerLogins = await this.beforeRemove?.(row, trx);
      const users = (await store.users(trx).where({ database_id: row.id })) as DatabaseUserRow[];
      await store.users(trx).where({ database_id: row.id }).delete();
      await store.databases(trx).where({ id: row.id }).delete();
      await this.deps.limits.assert(row.subscription_id, 'databases', -1, { trx });
      await this.audit(info, 'databases.database.deleted', row.id, { name: row.name, server: row.server }, trx);
      // Last, idempotent: a failure here rolls the rows back and a retry finishes the job.
      const server = this.server(row.server);
      await endAdminerLogins?.();
      for (const u of users) await server.dropUser(u.name);
      await server.dropDatabase(row.name);
      return row;
    });
  }

  /** Add a user holding every privilege on this database and nothing else. */
  async addUser(actor: Actor, databaseId: string, suffix: string | undefined, info: RequestInfo): Promise<IssuedCredentials> {
    const { store } = this.deps;
    let issued: IssuedCredentials | undefined;
    let server: DatabaseServer | undefined;
    try {
      return await store.db.transaction(async (trx) => {
        const database = await store.scopedOne(actor, databaseId, trx, true);
        server = this.server(database.server);
        const prefix = database.name.slice(0, database.name.indexOf('_'));
        const chosen = suffix ?? database.name.slice(prefix.length + 1);
        const problem = suffixProblem(chosen);
        if (problem) throw DatabasesErrors.nameInvalid('/body/name', problem);
        const name = `${prefix}_${chosen}`;
        const count = (await store.users(trx).where({ database_id: database.id }).count({ n: '*' })) as Array<{ n: string }>;
        const limit = this.deps.config().usersPerDatabase;
        if (Number(count[0]?.n ?? 0) >= limit) throw DatabasesErrors.tooManyUsers(limit);
        const [user] = (await store
          .users(trx)
          .insert({ database_id: database.id, server: database.server, name })
          .onConflict(['server', 'name'])
          .ignore()
          .returning('*')) as DatabaseUserRow[];
        if (!user) throw DatabasesErrors.nameTaken(name);
        await this.audit(info, 'databases.user.created', database.id, { user: name }, trx);
        const password = generatePassword(this.deps.config().passwordLength);
        await server.createUser(name, password);
        issued = { user, password };
        await server.grant(name, database.name);
        return issued;
      });
    } catch (err) {
      if (issued && server) {
        const s = server;
        const name = issued.user.name;
        await this.undo(() => s.dropUser(name));
      }
      throw err;
    }
  }

  /** A new password for a user (the old one stops working at once). */
  async resetPassword(actor: Actor, databaseId: string, userId: string, info: RequestInfo): Promise<IssuedCredentials> {
    const { store } = this.deps;
    return store.db.transaction(async (trx) => {
      const database = await store.scopedOne(actor, databaseId, trx);
      const user = await store.userOf(database.id, userId, trx, true);
      const [row] = (await store
        .users(trx)
        .where({ id: user.id })
        .update({ password_set_at: trx.fn.now() as unknown as Date })
        .returning('*')) as DatabaseUserRow[];
      await this.audit(info, 'databases.user.password-reset', database.id, { user: user.name }, trx);
      const password = generatePassword(this.deps.config().passwordLength);
      await this.server(database.server).setPassword(user.name, password);
      return { user: row as DatabaseUserRow, password };
    });
  }

  async removeUser(actor: Actor, databaseId: string, userId: string, info: RequestInfo): Promise<void> {
    const { store } = this.deps;
    await store.db.transaction(async (trx) => {
      const database = await store.scopedOne(actor, databaseId, trx);
      const user = await store.userOf(database.id, userId, trx, true);
      await store.users(trx).where({ id: user.id }).delete();
      await this.audit(info, 'databases.user.deleted', database.id, { user: user.name }, trx);
      await this.server(database.server).dropUser(user.name);
    });
  }

  /**
   * The site's own database and user (see `SiteDatabases` in the SDK): made at the first call
   * as `<prefix>_wp_<site>` (or `…2`, `…3` when the customer has that name already), later calls
   * give its user a new password. Acts as the platform, for the site's subscription.
   */
  async issueForSite(site: {
    siteId: string;
    siteName: string;
    ownerId: string;
    subscriptionId: string;
    engine: string;
  }): Promise<SiteDatabase> {
    const { store } = this.deps;
    let row = (await store.databases().where({ site_id: site.siteId }).first()) as DatabaseRow | undefined;
    if (!row) {
      const server = this.deps.servers().find((s) => s.engine === site.engine);
      if (!server)
        throw DatabasesErrors.noServer(
          site.engine,
          this.deps.servers().map((s) => s.engine),
        );
      const base = `wp_${site.siteName.replace(/-/g, '_')}`.slice(0, 14).replace(/_+$/, '');
      for (let n = 1; !row; n += 1) {
        const name = n === 1 ? base : `${base}${n}`;
        try {
          row = await this.create(PLATFORM, { name, server: server.id, subscriptionId: site.subscriptionId }, SYSTEM_INFO, {
            siteId: site.siteId,
          });
        } catch (err) {
          if (!DatabasesErrors.nameTaken.is(err) || n >= 50) throw err;
        }
      }
    }
    const user = (await store.users().where({ database_id: row.id }).orderBy('created_at').first()) as
      DatabaseUserRow | undefined;
    const issued = user
      ? await this.resetPassword(PLATFORM, row.id, user.id, SYSTEM_INFO)
      : await this.addUser(PLATFORM, row.id, undefined, SYSTEM_INFO);
    const status = await this.server(row.server).status();
    const endpoint = status.endpoint ?? { host: '127.0.0.1', port: 3306 };
    return {
      databaseId: row.id,
      engine: row.engine,
      database: row.name,
      user: issued.user.name,
      host: `${endpoint.host}:${endpoint.port}`,
      password: issued.password,
    };
  }

  /** Drop the site's database (see `SiteDatabases.removeForSite`). */
  async removeForSite(siteId: string): Promise<boolean> {
    const row = (await this.deps.store.databases().where({ site_id: siteId }).first()) as DatabaseRow | undefined;
    if (!row) return false;
    await this.remove(PLATFORM, row.id, row.name, SYSTEM_INFO);
    return true;
  }

  /** Databases of a site or of a customer, for backups (see `SiteDatabases.listDatabases`). */
  async listDatabases(filter: { siteId?: string; ownerId?: string }): Promise<SiteDatabaseRef[]> {
    // Neither filter would list every customer's databases: nobody asks for that.
    if (!filter.siteId && !filter.ownerId) return [];
    const q = this.deps.store.databases();
    if (filter.siteId) q.where({ site_id: filter.siteId });
    if (filter.ownerId) q.where({ owner_id: filter.ownerId });
    const rows = (await q.orderBy('name').select('*')) as unknown as DatabaseRow[];
    return rows.map((r) => ({
      databaseId: r.id,
      name: r.name,
      server: r.server,
      engine: r.engine,
      ownerId: r.owner_id,
      siteId: r.site_id,
    }));
  }

  /** Measure a database's size now and keep it; the stored value stays when the server cannot answer. */
  async measure(row: DatabaseRow): Promise<DatabaseRow> {
    try {
      const size = await this.server(row.server).sizeOf(row.name);
      const [updated] = (await this.deps.store
        .databases()
        .where({ id: row.id })
        .update({ size_bytes: size, size_measured_at: new Date() })
        .returning('*')) as unknown as DatabaseRow[];
      return updated ?? row;
    } catch (err) {
      this.deps.logger.warn({ err, database: row.name }, 'size not measured');
      return row;
    }
  }

  /** Measure every database (the schedule's job). */
  async measureAll(): Promise<number> {
    const rows = (await this.deps.store.databases().select('*')) as unknown as DatabaseRow[];
    let measured = 0;
    for (const row of rows) if ((await this.measure(row)).size_measured_at !== row.size_measured_at) measured += 1;
    return measured;
  }

  private async undo(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not undo a server change after a failed commit');
    }
  }

  /** The subscription a new database counts against: named (in the caller's subtree) or the caller's only one. */
  private async subscriptionFor(actor: Actor, id: string | undefined): Promise<SubscriptionInfo> {
    const { store } = this.deps;
    let subscription: SubscriptionInfo | undefined;
    if (!id) {
      const own = await store.activeSubscriptionsOf(actor.userId);
      if (own.length === 0) throw DatabasesErrors.subscriptionInvalid('You have no active subscription to create a database in');
      if (own.length > 1) throw DatabasesErrors.subscriptionInvalid('You have several subscriptions: name one in subscriptionId');
      subscription = own[0];
    } else subscription = await store.subscription(id);
    if (!subscription || !(await this.deps.tenancy.canAccessUser(actor, subscription.customerId))) {
      throw DatabasesErrors.subscriptionInvalid(`No subscription ${id}`);
    }
    if (subscription.status !== 'active') throw DatabasesErrors.subscriptionInvalid(`The subscription is ${subscription.status}`);
    return subscription;
  }

  private async audit(info: RequestInfo, action: string, id: string, details: Record<string, unknown>, trx: Knex.Transaction) {
    await this.deps.audit.record(
      {
        action,
        actorId: info.actorId,
        target: { type: 'database', id },
        details,
        ip: info.ip ?? null,
        requestId: info.requestId ?? null,
      },
      { trx },
    );
  }
}
