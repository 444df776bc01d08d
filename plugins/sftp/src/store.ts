/**
 * The accounts table, its API view, and the read of websites' shared `websites` table (which
 * sites exist, whose they are, whether they are live).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { SftpErrors } from './errors.js';
import type { PublicKey } from './keys.js';

export interface AccountRow {
  id: string;
  website_id: string;
  owner_id: string;
  name: string;
  login: string;
  password_hash: string | null;
  public_keys: PublicKey[];
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SiteRow {
  id: string;
  name: string;
  domain: string;
  owner_id: string;
  desired: 'active' | 'suspended' | 'deleted';
}

export const KeySchema = Type.Object({
  type: Type.String(),
  fingerprint: Type.String({ description: 'SHA256 fingerprint, as `ssh-keygen -l` prints it' }),
  comment: Type.String(),
});

export const AccountSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  websiteId: Type.String({ format: 'uuid' }),
  ownerId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  login: Type.String({ description: 'User name for the SFTP client' }),
  host: Type.String({ description: 'Server to connect to' }),
  port: Type.Integer(),
  passwordSet: Type.Boolean({ description: 'Password login works (else keys only)' }),
  publicKeys: Type.Array(KeySchema),
  active: Type.Boolean({ description: 'Logins are accepted now (false while the website is suspended)' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type AccountView = Static<typeof AccountSchema>;

export function accountView(
  row: AccountRow,
  site: Pick<SiteRow, 'desired'>,
  server: { host: string; port: number },
): AccountView {
  return {
    id: row.id,
    websiteId: row.website_id,
    ownerId: row.owner_id,
    name: row.name,
    login: row.login,
    host: server.host,
    port: server.port,
    passwordSet: row.password_hash !== null,
    publicKeys: row.public_keys.map((k) => ({ type: k.type, fingerprint: k.fingerprint, comment: k.comment })),
    active: site.desired === 'active',
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class AccountStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  accounts(trx?: Knex.Transaction) {
    return this.db.table<AccountRow>('accounts', trx);
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex).from('plugin_websites.websites').select('id', 'name', 'domain', 'owner_id', 'desired');
  }

  /**
   * A website (not being deleted) the actor may see; 404 otherwise, so another tenant's id reads
   * as missing. With `lock`, the row is locked for the transaction: creates on one site queue.
   */
  async siteFor(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction, lock = false): Promise<SiteRow> {
    const q = this.tenancy.scope(this.sites(trx).where('id', id).whereNot('desired', 'deleted'), actor, 'owner_id');
    // websites' table is only readable: a row lock needs UPDATE rights, so creates on one site
    // queue on an advisory lock of the site's id instead.
    if (lock && trx) await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`sftp:${id}`]);
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw SftpErrors.websiteNotFound(id);
    return row;
  }

  async site(id: string, trx?: Knex.Transaction): Promise<SiteRow | undefined> {
    return (await this.sites(trx).where('id', id).first()) as SiteRow | undefined;
  }

  async one(websiteId: string, id: string, trx?: Knex.Transaction): Promise<AccountRow> {
    const row = (await this.accounts(trx).where({ website_id: websiteId, id }).first()) as AccountRow | undefined;
    if (!row) throw SftpErrors.notFound(id);
    return row;
  }

  async ofSite(websiteId: string, trx?: Knex.Transaction): Promise<AccountRow[]> {
    return (await this.accounts(trx)
      .where({ website_id: websiteId })
      .orderBy([{ column: 'name' }])) as AccountRow[];
  }

  /** Every account with its website's name and state (for the server's config). */
  async all(trx?: Knex.Transaction): Promise<Array<AccountRow & { site_name: string; desired: SiteRow['desired'] | null }>> {
    const T = `${this.db.schema}.accounts`;
    return (await (trx ?? this.db.knex)
      .from(T)
      .leftJoin('plugin_websites.websites as w', 'w.id', `${T}.website_id`)
      .select(`${T}.*`, 'w.name as site_name', 'w.desired')
      .orderBy(`${T}.login`)) as Array<AccountRow & { site_name: string; desired: SiteRow['desired'] | null }>;
  }
}
