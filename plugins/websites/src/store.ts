/**
 * The websites tables: rows as stored, the API view, history entries, and the read of a
 * subscription's package from the accounts plugin (which this plugin requires).
 */
import { Type, type Actor, type DatabaseService, type SiteThrottle, type Static, type TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { displayDomain } from './domains.js';
import { WebsitesErrors } from './errors.js';
import type { SuspensionLevel } from './suspension-levels.js';

export type WebsiteKind = 'static' | 'php' | 'wordpress' | 'nodejs';
export type WebsiteStatus = 'provisioning' | 'active' | 'suspended' | 'error' | 'deleting';
export type SuspendReason = 'admin' | 'subscription' | 'user';

/** Kind-specific settings kept as jsonb. */
export interface WebsiteSettings {
  nodejs?: { command: string[]; port: number; env: Record<string, string> };
  extraDirectives?: string | null;
  /**
   * The WordPress site's own database, made by the `site-databases` extension (no password: it
   * goes to wp-config.php once). `installed` once an apply with the issued password succeeded.
   */
  wordpressDatabase?: { databaseId: string; database: string; user: string; host: string; installed: boolean };
  /** Set by a delete that asked to delete the site's database too. */
  deleteDatabase?: boolean;
  /** The customer's PHP settings (php-settings.ts), within the package's bounds. */
  php?: { memoryLimitMb: number; uploadMaxMb: number; maxExecutionSeconds: number; displayErrors: boolean };
}

/** A row of `websites`. */
export interface WebsiteRow {
  id: string;
  name: string;
  domain: string;
  owner_id: string;
  subscription_id: string;
  kind: WebsiteKind;
  php_version: string | null;
  status: WebsiteStatus;
  status_reason: string | null;
  desired: 'active' | 'suspended' | 'deleted';
  suspended_for: SuspendReason[];
  suspend_note: string | null;
  /** Who made the provider suspension (reason `admin`), and at which level; null without one. */
  suspended_by: string | null;
  suspended_by_level: SuspensionLevel | null;
  settings: WebsiteSettings;
  generation: number;
  applied_generation: number;
  failures: number;
  document_root: string | null;
  preview_url: string | null;
  created_at: Date;
  updated_at: Date;
}

/** One step of a site's provisioning history. */
export interface HistoryRow {
  id: string;
  website_id: string;
  at: Date;
  step: string;
  outcome: 'ok' | 'error' | 'waiting' | 'info';
  message: string;
}

const Kind = Type.Union([Type.Literal('static'), Type.Literal('php'), Type.Literal('wordpress'), Type.Literal('nodejs')]);
export const HistorySchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  step: Type.String(),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('waiting'), Type.Literal('info')]),
  message: Type.String(),
});

export const WebsiteSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'Slug: folder, system user and preview host' }),
  domain: Type.String({ description: 'Primary domain, ASCII (punycode)' }),
  domainDisplay: Type.String({ description: 'Primary domain for people (Unicode)' }),
  aliases: Type.Array(Type.String()),
  kind: Kind,
  phpVersion: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ enum: ['provisioning', 'active', 'suspended', 'error', 'deleting'] }),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  suspendedFor: Type.Array(Type.String()),
  suspendedBy: Type.Union([Type.Literal('platform'), Type.Literal('reseller'), Type.Null()], {
    description: 'Level of whoever made the provider suspension (`admin` in suspendedFor): only that level or above lifts it',
  }),
  ownerId: Type.String({ format: 'uuid' }),
  subscriptionId: Type.String({ format: 'uuid' }),
  previewUrl: Type.Union([Type.String(), Type.Null()]),
  documentRoot: Type.Union([Type.String(), Type.Null()]),
  nodejs: Type.Union([
    Type.Object({ command: Type.Array(Type.String()), port: Type.Integer(), env: Type.Record(Type.String(), Type.String()) }),
    Type.Null(),
  ]),
  extraDirectives: Type.Union([Type.String(), Type.Null()]),
  converged: Type.Boolean({ description: 'The server runs the latest desired state' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  history: Type.Optional(Type.Array(HistorySchema)),
});
export type WebsiteView = Static<typeof WebsiteSchema>;

/** The API view of a row with its aliases (and history when given). */
export function websiteView(row: WebsiteRow, aliases: string[], history?: HistoryRow[]): WebsiteView {
  const view: WebsiteView = {
    id: row.id,
    name: row.name,
    domain: row.domain,
    domainDisplay: displayDomain(row.domain),
    aliases,
    kind: row.kind,
    phpVersion: row.php_version,
    status: row.status,
    statusReason: row.status_reason,
    suspendedFor: row.suspended_for,
    suspendedBy: row.suspended_for.includes('admin') ? (row.suspended_by_level as 'platform' | 'reseller' | null) : null,
    ownerId: row.owner_id,
    subscriptionId: row.subscription_id,
    previewUrl: row.preview_url,
    documentRoot: row.document_root,
    nodejs: row.settings.nodejs ?? null,
    extraDirectives: row.settings.extraDirectives ?? null,
    converged: row.applied_generation >= row.generation,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (history) {
    view.history = history.map((h) => ({ at: h.at.toISOString(), step: h.step, outcome: h.outcome, message: h.message }));
  }
  return view;
}

/** A subscription with what its package allows, read from the accounts plugin's schema. */
export interface SubscriptionInfo {
  id: string;
  customerId: string;
  status: string;
  phpVersions: string[];
  /** PHP resources the package sets; null fields fall back to the plugin's config. */
  resources: { phpMemoryMb: number | null; phpMaxChildren: number | null; uploadMaxMb: number | null };
  /** The bandwidth throttle on the subscription's sites (throttle-service.ts), or null. */
  throttle: SiteThrottle | null;
}

/** Data access for the plugin's tables. */
export class WebsiteStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  get knex(): Knex {
    return this.db.knex;
  }

  table(trx?: Knex.Transaction) {
    return this.db.table<WebsiteRow>('websites', trx);
  }

  /** Websites the actor may see (own or subtree), as a query to refine. */
  scoped(actor: Pick<Actor, 'userId' | 'role'>, trx?: Knex.Transaction): Knex.QueryBuilder {
    return this.tenancy.scope(this.table(trx) as Knex.QueryBuilder, actor, `${this.db.schema}.websites.owner_id`);
  }

  /** A website the actor may see; 404 otherwise (foreign ids read as missing). */
  async scopedOne(actor: Actor, id: string, trx?: Knex.Transaction, lock = false): Promise<WebsiteRow> {
    const q = this.scoped(actor, trx).where(`${this.db.schema}.websites.id`, id);
    if (lock) q.forUpdate();
    const row = (await q.first()) as WebsiteRow | undefined;
    if (!row) throw WebsitesErrors.notFound(id);
    return row;
  }

  async byId(id: string, trx?: Knex.Transaction, lock = false): Promise<WebsiteRow | undefined> {
    const q = this.table(trx).where({ id });
    if (lock) q.forUpdate();
    return (await q.first()) as WebsiteRow | undefined;
  }

  /** Aliases (non-primary domains) of each site. */
  async aliasesOf(ids: string[], trx?: Knex.Transaction): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = (await this.db
      .table('website_domains', trx)
      .whereIn('website_id', ids)
      .andWhere({ is_primary: false })
      .orderBy('domain')) as Array<{ website_id: string; domain: string }>;
    for (const r of rows) out.get(r.website_id)?.push(r.domain);
    return out;
  }

  async history(id: string, limit = 50, trx?: Knex.Transaction): Promise<HistoryRow[]> {
    return (await this.db
      .table('website_history', trx)
      .where({ website_id: id })
      .orderBy('id', 'desc')
      .limit(limit)) as HistoryRow[];
  }

  /** Append a history step; a `waiting` step equal to the last one is not repeated. */
  async record(id: string, step: string, outcome: HistoryRow['outcome'], message: string, trx?: Knex.Transaction): Promise<void> {
    if (outcome === 'waiting') {
      const [last] = await this.history(id, 1, trx);
      if (last && last.outcome === 'waiting' && last.message === message) return;
    }
    await this.db.table('website_history', trx).insert({ website_id: id, step, outcome, message });
  }

  /** 409 naming the first of `domains` another site holds (checked again, atomically, by the claim). */
  async assertDomainsFree(domains: string[], websiteId: string | null, trx: Knex.Transaction): Promise<void> {
    const q = this.db.table('website_domains', trx).whereIn('domain', domains);
    if (websiteId) q.whereNot({ website_id: websiteId });
    const taken = (await q.first('domain')) as { domain: string } | undefined;
    if (taken) throw WebsitesErrors.domainTaken(taken.domain);
  }

  /** Claim `domains` for a site, replacing its own; 409 naming the first one taken. */
  async claimDomains(websiteId: string, primary: string, aliases: string[], trx: Knex.Transaction): Promise<void> {
    await this.assertDomainsFree([primary, ...aliases], websiteId, trx);
    await this.db.table('website_domains', trx).where({ website_id: websiteId }).delete();
    await this.insertDomains(websiteId, primary, aliases, trx);
  }

  /** Add the domains of a site that holds none yet; 409 naming the first one taken. */
  async insertDomains(websiteId: string, primary: string, aliases: string[], trx: Knex.Transaction): Promise<void> {
    const all = [primary, ...aliases];
    const rows = all.map((domain) => ({ domain, website_id: websiteId, is_primary: domain === primary }));
    // ON CONFLICT keeps the check atomic against a concurrent create of the same name.
    const inserted = (await this.db
      .table('website_domains', trx)
      .insert(rows)
      .onConflict('domain')
      .ignore()
      .returning('domain')) as Array<{ domain: string }>;
    if (inserted.length !== rows.length) {
      const got = new Set(inserted.map((r) => r.domain));
      throw WebsitesErrors.domainTaken(all.find((d) => !got.has(d)) as string);
    }
  }

  /** A name not used yet: `slug`, else `slug-2`, `slug-3` … */
  async freeName(slug: string, trx: Knex.Transaction): Promise<string> {
    // One index range (websites_name_prefix_idx): a slug has no LIKE wildcards (letters, digits, '-').
    const rows = (await this.table(trx).where('name', 'like', `${slug}%`).select('name')) as Array<{ name: string }>;
    const used = new Set(rows.map((r) => r.name));
    if (!used.has(slug)) return slug;
    for (let n = 2; ; n += 1) if (!used.has(`${slug}-${n}`)) return `${slug}-${n}`;
  }

  /**
   * Bring suspension reasons in line with the subscriptions' and owners' states. The event
   * handlers do this at once; this catches what they cannot hear (a suspension made by the CLI
   * in another process, a handler that failed). Returns the sites changed.
   */
  async syncSuspensions(): Promise<number> {
    const T = `${this.db.schema}.websites`;
    const H = `${this.db.schema}.website_history`;
    const sources = [
      {
        reason: 'subscription',
        suspended: `exists (select 1 from plugin_accounts.subscriptions s where s.id = w.subscription_id and s.status = 'suspended')`,
      },
      {
        reason: 'user',
        suspended: `exists (select 1 from hostplane.users u where u.id = w.owner_id and u.status = 'suspended')`,
      },
    ];
    let changed = 0;
    for (const { reason, suspended } of sources) {
      const { rows } = (await this.knex.raw(
        `with fixed as (
           update ${T} w set
             suspended_for = case when ${suspended} then array_append(w.suspended_for, ?) else array_remove(w.suspended_for, ?) end,
             desired = case
               when ${suspended} then 'suspended'
               when cardinality(array_remove(w.suspended_for, ?)) > 0 then 'suspended'
               else 'active' end,
             generation = w.generation + 1,
             failures = 0,
             updated_at = now()
           where w.desired <> 'deleted' and ((${suspended}) <> (? = any(w.suspended_for)))
           returning w.id, (? = any(w.suspended_for)) as now_suspended
         )
         insert into ${H} (website_id, step, outcome, message)
           select id, case when now_suspended then 'suspend' else 'unsuspend' end, 'info',
             case when now_suspended then ? else ? end
           from fixed
         returning website_id`,
        [
          reason,
          reason,
          reason,
          reason,
          reason,
          `suspended (${reason}), found by the sweep`,
          `suspension lifted (${reason}), found by the sweep`,
        ],
      )) as { rows: unknown[] };
      changed += rows.length;
    }
    return changed;
  }

  /** The subscription and what its package allows. */
  async subscription(id: string, trx?: Knex.Transaction): Promise<SubscriptionInfo | undefined> {
    return (await this.subscriptions([id], trx)).get(id);
  }

  /** Several subscriptions with what their packages allow, in one query, by id. */
  async subscriptions(ids: string[], trx?: Knex.Transaction): Promise<Map<string, SubscriptionInfo>> {
    if (ids.length === 0) return new Map();
    const infos = await this.subscriptionInfos((q) => q.whereIn('s.id', [...new Set(ids)]), trx);
    return new Map(infos.map((info) => [info.id, info]));
  }

  /** Active subscriptions of a customer with what their packages allow, oldest first (to pick one when the caller names none). */
  async activeSubscriptionsOf(customerId: string, trx?: Knex.Transaction): Promise<SubscriptionInfo[]> {
    return this.subscriptionInfos(
      (q) => q.where({ 's.customer_id': customerId, 's.status': 'active' }).orderBy('s.created_at'),
      trx,
    );
  }

  private async subscriptionInfos(
    where: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
    trx?: Knex.Transaction,
  ): Promise<SubscriptionInfo[]> {
    const rows = (await where(
      (trx ?? this.knex)
        .select('s.id', 's.customer_id', 's.status', 'p.features', 'th.bytes_per_second', 'th.connections')
        .from('plugin_accounts.subscriptions as s')
        .join('plugin_accounts.packages as p', 'p.id', 's.package_id')
        .leftJoin(`${this.db.schema}.subscription_throttles as th`, 'th.subscription_id', 's.id'),
    )) as Array<{
      id: string;
      customer_id: string;
      status: string;
      features: {
        php_versions?: string[];
        php_memory_mb?: number | null;
        php_max_children?: number | null;
        upload_max_mb?: number | null;
      } | null;
      bytes_per_second: number | null;
      connections: number | null;
    }>;
    return rows.map((row) => {
      const f = row.features ?? {};
      return {
        id: row.id,
        customerId: row.customer_id,
        status: row.status,
        phpVersions: f.php_versions ?? [],
        resources: {
          phpMemoryMb: f.php_memory_mb ?? null,
          phpMaxChildren: f.php_max_children ?? null,
          uploadMaxMb: f.upload_max_mb ?? null,
        },
        throttle:
          row.bytes_per_second !== null && row.connections !== null
            ? { bytesPerSecond: row.bytes_per_second, connections: row.connections }
            : null,
      };
    });
  }
}
