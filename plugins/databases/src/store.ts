/**
 * The databases tables: rows as stored, the API views, scoped reads (tenancy in the query), the
 * customer prefixes, and the read of a subscription from the accounts plugin (which this plugin
 * requires).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { DatabasesErrors } from './errors.js';
import { prefixCandidates } from './names.js';

/** A row of `databases`. */
export interface DatabaseRow {
  id: string;
  server: string;
  engine: string;
  name: string;
  owner_id: string;
  subscription_id: string;
  /** The website it was made for (its WordPress database), or null. */
  site_id: string | null;
  size_bytes: string | number | null;
  size_measured_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of `database_users`. */
export interface DatabaseUserRow {
  id: string;
  database_id: string;
  server: string;
  name: string;
  password_set_at: Date;
  created_at: Date;
}

const Endpoint = Type.Union([
  Type.Object({ host: Type.String(), port: Type.Integer(), socket: Type.Union([Type.String(), Type.Null()]) }),
  Type.Null(),
]);

export const DatabaseSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'Full name on the server: the owner’s prefix, _, the chosen part' }),
  server: Type.String({ description: 'Driver holding it, e.g. mariadb' }),
  engine: Type.String({ description: 'mariadb, postgresql …: which client talks to it' }),
  ownerId: Type.String({ format: 'uuid' }),
  subscriptionId: Type.String({ format: 'uuid' }),
  websiteId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The website it was made for, if any' }),
  sizeBytes: Type.Union([Type.Integer(), Type.Null()], { description: 'Measured size on disk; null until first measured' }),
  sizeMeasuredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  users: Type.Array(Type.String(), { description: 'Names of its users' }),
  endpoint: Type.Optional(Endpoint),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DatabaseView = Static<typeof DatabaseSchema>;

export const DatabaseUserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  databaseId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  passwordSetAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type DatabaseUserView = Static<typeof DatabaseUserSchema>;

export function databaseView(row: DatabaseRow, users: string[]): DatabaseView {
  return {
    id: row.id,
    name: row.name,
    server: row.server,
    engine: row.engine,
    ownerId: row.owner_id,
    subscriptionId: row.subscription_id,
    websiteId: row.site_id ?? null,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sizeMeasuredAt: row.size_measured_at ? row.size_measured_at.toISOString() : null,
    users,
    createdAt: row.created_at.toISOString(),
  };
}

export function userView(row: DatabaseUserRow): DatabaseUserView {
  return {
    id: row.id,
    databaseId: row.database_id,
    name: row.name,
    passwordSetAt: row.password_set_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

/** A subscription as a create needs it. */
export interface SubscriptionInfo {
  id: string;
  customerId: string;
  status: string;
}

export class DatabaseStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  get T(): string {
    return `${this.db.schema}.databases`;
  }

  databases(trx?: Knex.Transaction) {
    return this.db.table<DatabaseRow>('databases', trx);
  }

  /** Measured bytes of every subscription's databases (the `disk-usage` extension; usage metering). */
  async sizesBySubscription(): Promise<Map<string, number>> {
    const rows = (await this.databases()
      .select('subscription_id')
      .sum({ bytes: 'size_bytes' })
      .whereNotNull('size_bytes')
      .groupBy('subscription_id')) as unknown as Array<{ subscription_id: string; bytes: string | number }>;
    return new Map(rows.map((r) => [r.subscription_id, Number(r.bytes)]));
  }

  users(trx?: Knex.Transaction) {
    return this.db.table<DatabaseUserRow>('database_users', trx);
  }

  /** Databases the actor may see (own or subtree), as a query to refine. */
  scoped(actor: Pick<Actor, 'userId' | 'role'>, trx?: Knex.Transaction): Knex.QueryBuilder {
    return this.tenancy.scope(this.databases(trx) as Knex.QueryBuilder, actor, `${this.T}.owner_id`);
  }

  /** A database the actor may see; 404 otherwise (foreign ids read as missing). */
  async scopedOne(actor: Actor, id: string, trx?: Knex.Transaction, lock = false): Promise<DatabaseRow> {
    const q = this.scoped(actor, trx).where(`${this.T}.id`, id);
    if (lock) q.forUpdate();
    const row = (await q.first()) as DatabaseRow | undefined;
    if (!row) throw DatabasesErrors.notFound(id);
    return row;
  }

  /** A user of `databaseId`; 404 when it belongs to another database (or none). */
  async userOf(databaseId: string, userId: string, trx?: Knex.Transaction, lock = false): Promise<DatabaseUserRow> {
    const q = this.users(trx).where({ id: userId, database_id: databaseId });
    if (lock) q.forUpdate();
    const row = (await q.first()) as DatabaseUserRow | undefined;
    if (!row) throw DatabasesErrors.userNotFound(userId);
    return row;
  }

  /** User names of each database. */
  async userNamesOf(ids: string[], trx?: Knex.Transaction): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = (await this.users(trx).whereIn('database_id', ids).orderBy('name')) as DatabaseUserRow[];
    for (const r of rows) out.get(r.database_id)?.push(r.name);
    return out;
  }

  /**
   * The customer's prefix, allocated at first use. Two first creates of one customer meet at
   * the primary key (the later one reads the earlier's); two customers wanting the same prefix
   * meet at the unique index (the later one takes the next candidate).
   */
  async prefixOf(customerId: string, base: string, trx: Knex.Transaction): Promise<string> {
    const table = () => this.db.table<{ customer_id: string; prefix: string }>('prefixes', trx);
    for (const candidate of prefixCandidates(base)) {
      const existing = (await table().where({ customer_id: customerId }).first()) as { prefix: string } | undefined;
      if (existing) return existing.prefix;
      const inserted = (await table()
        .insert({ customer_id: customerId, prefix: candidate })
        .onConflict()
        .ignore()
        .returning('prefix')) as Array<{ prefix: string }>;
      if (inserted[0]) return inserted[0].prefix;
    }
    throw new Error(`no free prefix for ${base}`);
  }

  /** The subscription a new database counts against, as the accounts plugin shares it. */
  async subscription(id: string, trx?: Knex.Transaction): Promise<SubscriptionInfo | undefined> {
    const row = (await (trx ?? this.db.knex)
      .select('s.id', 's.customer_id', 's.status')
      .from('plugin_accounts.subscriptions as s')
      .where('s.id', id)
      .first()) as { id: string; customer_id: string; status: string } | undefined;
    return row ? { id: row.id, customerId: row.customer_id, status: row.status } : undefined;
  }

  /** Active subscriptions of a customer, oldest first. */
  async activeSubscriptionsOf(customerId: string, trx?: Knex.Transaction): Promise<SubscriptionInfo[]> {
    const rows = (await (trx ?? this.db.knex)
      .select('s.id', 's.customer_id', 's.status')
      .from('plugin_accounts.subscriptions as s')
      .where({ 's.customer_id': customerId, 's.status': 'active' })
      .orderBy('s.created_at')) as Array<{ id: string; customer_id: string; status: string }>;
    return rows.map((row) => ({ id: row.id, customerId: row.customer_id, status: row.status }));
  }
}
