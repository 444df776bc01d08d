/**
 * The certificates table, its API view, and the reads of the websites plugin's shared tables
 * (which sites exist, whose they are, which names they answer to).
 */
import { Type, type Actor, type DatabaseService, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { TlsErrors } from './errors.js';

export type CertificateState = 'none' | 'pending' | 'issued' | 'failed';

export interface CertificateRow {
  website_id: string;
  source: 'acme' | 'upload';
  state: CertificateState;
  domains: string[];
  wildcard: boolean;
  certificate_pem: string | null;
  key_secret: string | null;
  issuer: string | null;
  serial: string | null;
  not_before: Date | null;
  not_after: Date | null;
  force_https: boolean;
  hsts: boolean;
  version: number;
  served_version: number;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  warned_for: Date | null;
  requested_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A website as this plugin reads it (websites' shared `websites` and `website_domains`). */
export interface SiteRow {
  id: string;
  name: string;
  owner_id: string;
  desired: string;
  /** Primary first. */
  domains: string[];
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CertificateSchema = Type.Object({
  websiteId: Type.String({ format: 'uuid' }),
  domains: Type.Array(Type.String(), { description: 'Names the site answers to; the certificate must cover them' }),
  state: Type.String({ enum: ['none', 'pending', 'issued', 'failed'] }),
  source: Nullable(Type.String({ enum: ['acme', 'upload'] })),
  wildcardFrom: Nullable(
    Type.String({ description: 'Without a certificate of its own: the website whose wildcard certificate this site serves' }),
  ),
  wildcard: Type.Boolean({ description: 'Orders for this site cover *.<base domain> too (DNS-01)' }),
  issuer: Nullable(Type.String()),
  names: Type.Array(Type.String(), { description: 'Names the current certificate covers' }),
  serial: Nullable(Type.String()),
  notBefore: Nullable(Type.String({ format: 'date-time' })),
  notAfter: Nullable(Type.String({ format: 'date-time' })),
  daysLeft: Nullable(Type.Integer()),
  forceHttps: Type.Boolean(),
  hsts: Type.Boolean(),
  served: Type.Boolean({ description: 'The web server serves the current certificate and switches' }),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
});
export type CertificateView = Static<typeof CertificateSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The API's view of a site's certificate (a site without a row: state `none`). */
export function certificateView(
  site: SiteRow,
  row: CertificateRow | undefined,
  names: string[],
  now: Date,
  wildcardFrom: string | null = null,
): CertificateView {
  return {
    websiteId: site.id,
    domains: site.domains,
    state: row?.state ?? 'none',
    source: row?.certificate_pem ? row.source : null,
    wildcardFrom: row?.certificate_pem ? null : wildcardFrom,
    wildcard: row?.wildcard ?? false,
    issuer: row?.issuer ?? null,
    names,
    serial: row?.serial ?? null,
    notBefore: iso(row?.not_before ?? null),
    notAfter: iso(row?.not_after ?? null),
    daysLeft: row?.not_after ? Math.floor((row.not_after.getTime() - now.getTime()) / 86_400_000) : null,
    forceHttps: row?.force_https ?? false,
    hsts: row?.hsts ?? false,
    served: row ? row.served_version >= row.version : true,
    attempts: row?.attempts ?? 0,
    nextAttemptAt: iso(row?.next_attempt_at ?? null),
    lastError: row?.last_error ?? null,
  };
}

export class CertificateStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  get knex(): Knex {
    return this.db.knex;
  }

  certificates(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex).withSchema(this.db.schema).table('certificates');
  }

  async get(websiteId: string, trx?: Knex.Transaction, lock = false): Promise<CertificateRow | undefined> {
    const q = this.certificates(trx).where({ website_id: websiteId });
    if (lock) q.forUpdate();
    return (await q.first()) as CertificateRow | undefined;
  }

  /** The row of a site, made (state `none`) when it has none; locked for the caller's transaction. */
  async ensure(site: SiteRow, trx: Knex.Transaction): Promise<CertificateRow> {
    await this.certificates(trx).insert({ website_id: site.id, domains: site.domains }).onConflict('website_id').ignore();
    return (await this.get(site.id, trx, true)) as CertificateRow;
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex)
      .select('w.id', 'w.name', 'w.owner_id', 'w.desired')
      .select(
        (trx ?? this.db.knex).raw(
          `array(select d.domain from plugin_websites.website_domains d where d.website_id = w.id order by d.is_primary desc, d.domain) as domains`,
        ),
      )
      .from('plugin_websites.websites as w');
  }

  /** A live website the actor may see; 404 otherwise (foreign ids read as missing). */
  async scopedSite(actor: Pick<Actor, 'userId' | 'role'>, id: string, trx?: Knex.Transaction): Promise<SiteRow> {
    const q = this.tenancy.scope(this.sites(trx).where('w.id', id).whereNot('w.desired', 'deleted'), actor, 'w.owner_id');
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw TlsErrors.siteNotFound(id);
    return row;
  }

  /** Live websites the actor may see, newest first, with their certificate rows (the panel's table). */
  async scopedList(
    actor: Pick<Actor, 'userId' | 'role'>,
    page: number,
    limit: number,
  ): Promise<{ items: Array<{ site: SiteRow; row: CertificateRow | undefined }>; total: number }> {
    const base = this.tenancy.scope(this.sites().whereNot('w.desired', 'deleted'), actor, 'w.owner_id');
    const [count] = (await base.clone().clearSelect().count({ count: '*' })) as Array<{ count: string }>;
    const sites = (await base
      .orderBy([{ column: 'w.created_at', order: 'desc' }, { column: 'w.id' }])
      .limit(limit)
      .offset((page - 1) * limit)) as SiteRow[];
    const rows = sites.length
      ? ((await this.certificates().whereIn(
          'website_id',
          sites.map((s) => s.id),
        )) as CertificateRow[])
      : [];
    const byId = new Map(rows.map((r) => [r.website_id, r]));
    return { items: sites.map((site) => ({ site, row: byId.get(site.id) })), total: Number(count?.count ?? 0) };
  }

  /** A live website the actor may see, by one of its names; 404 otherwise. */
  async scopedSiteByDomain(actor: Pick<Actor, 'userId' | 'role'>, domain: string): Promise<SiteRow> {
    const q = this.tenancy.scope(
      this.sites()
        .whereNot('w.desired', 'deleted')
        .whereRaw(`exists (select 1 from plugin_websites.website_domains d where d.website_id = w.id and d.domain = ?)`, [
          domain,
        ]),
      actor,
      'w.owner_id',
    );
    const row = (await q.first()) as SiteRow | undefined;
    if (!row) throw TlsErrors.siteNotFound(domain);
    return row;
  }

  /** A website by id (jobs and commands; no scope), deleted ones included. */
  async site(id: string, trx?: Knex.Transaction): Promise<SiteRow | undefined> {
    return (await this.sites(trx).where('w.id', id).first()) as SiteRow | undefined;
  }

  /** Live websites by id (the site-certificates lookups). */
  async sitesByIds(ids: string[]): Promise<SiteRow[]> {
    if (ids.length === 0) return [];
    return (await this.sites().whereIn('w.id', ids).whereNot('w.desired', 'deleted')) as SiteRow[];
  }

  /** Live websites of one owner (sites that may serve the owner's wildcard). */
  async liveSitesOf(ownerId: string, trx?: Knex.Transaction): Promise<SiteRow[]> {
    return (await this.sites(trx).where('w.owner_id', ownerId).whereNot('w.desired', 'deleted')) as SiteRow[];
  }

  /** Certificates of live sites of these owners whose orders are wildcards, with the owner and the site's primary domain. */
  async wildcardsOf(
    owners: string[] | { ofSites: string[] },
  ): Promise<Array<{ row: CertificateRow; owner_id: string; domain: string }>> {
    // `ofSites`: the owners of these sites, in the same query (most batches have no wildcard at all).
    const ownerIds = Array.isArray(owners)
      ? owners
      : this.knex.select('owner_id').from('plugin_websites.websites').whereIn('id', owners.ofSites);
    const rows = (await this.knex
      .select('c.*', 'w.owner_id as lender_owner')
      .select(
        this.knex.raw(
          `(select d.domain from plugin_websites.website_domains d where d.website_id = w.id order by d.is_primary desc, d.domain limit 1) as lender_domain`,
        ),
      )
      .from(`${this.db.schema}.certificates as c`)
      .join('plugin_websites.websites as w', 'w.id', 'c.website_id')
      .whereIn('w.owner_id', ownerIds)
      .whereNot('w.desired', 'deleted')
      .where('c.wildcard', true)
      .whereNotNull('c.certificate_pem')
      .orderBy('c.not_after', 'desc')) as Array<CertificateRow & { lender_owner: string; lender_domain: string }>;
    return rows.map(({ lender_owner, lender_domain, ...row }) => ({
      row: row as CertificateRow,
      owner_id: lender_owner,
      domain: lender_domain,
    }));
  }

  /** A website by one of its names (commands). */
  async siteByDomain(domain: string): Promise<SiteRow | undefined> {
    return (await this.sites()
      .whereRaw(`exists (select 1 from plugin_websites.website_domains d where d.website_id = w.id and d.domain = ?)`, [domain])
      .first()) as SiteRow | undefined;
  }
}
