/**
 * The metering tables, and the reads of other plugins' shared tables: which websites exist and
 * whose they are (websites' `websites`), and each subscription's status and customer (accounts').
 */
import type { Actor, DatabaseService, TenancyService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { Aggregate } from './tasks/aggregate.js';

export interface SiteRow {
  id: string;
  name: string;
  domain: string;
  owner_id: string;
  subscription_id: string;
}

export interface TrafficPoint {
  at: string;
  requests: number;
  bytesOut: number;
  bytesIn: number;
  status2xx: number;
  status3xx: number;
  status4xx: number;
  status5xx: number;
  statusOther: number;
}

const num = (v: unknown): number => Number(v ?? 0);

export class MeteringStore {
  constructor(
    readonly db: DatabaseService,
    private readonly tenancy: TenancyService,
  ) {}

  get knex(): Knex {
    return this.db.knex;
  }

  private sites(trx?: Knex.Transaction): Knex.QueryBuilder {
    return (trx ?? this.db.knex)
      .from('plugin_websites.websites')
      .whereNot('desired', 'deleted')
      .select('id', 'name', 'domain', 'owner_id', 'subscription_id');
  }

  /** Every live website, by name. */
  async allSites(): Promise<SiteRow[]> {
    return (await this.sites().orderBy('name')) as SiteRow[];
  }

  /** A website the actor may see, or undefined (foreign reads as missing). */
  async siteFor(actor: Actor, id: string): Promise<SiteRow | undefined> {
    return (await this.tenancy.scope(this.sites().where('id', id), actor, 'owner_id').first()) as SiteRow | undefined;
  }

  /** Websites the actor may see. */
  async sitesFor(actor: Actor): Promise<SiteRow[]> {
    return (await this.tenancy.scope(this.sites(), actor, 'owner_id').orderBy('name')) as SiteRow[];
  }

  /** Subscription ids of the actor's tree with their customer. */
  async subscriptionsFor(actor: Actor): Promise<Array<{ id: string; customer_id: string; status: string }>> {
    const q = this.db.knex.from('plugin_accounts.subscriptions').select('id', 'customer_id', 'status');
    return (await this.tenancy.scope(q, actor, 'customer_id').whereIn('status', ['active', 'suspended', 'pending'])) as Array<{
      id: string;
      customer_id: string;
      status: string;
    }>;
  }

  async subscription(id: string): Promise<{ id: string; customer_id: string; status: string } | undefined> {
    return (await this.db.knex.from('plugin_accounts.subscriptions').where({ id }).first('id', 'customer_id', 'status')) as
      { id: string; customer_id: string; status: string } | undefined;
  }

  // ─── disk ──────────────────────────────────────────────────────────────────

  async recordDisk(site: SiteRow, bytes: number, files: number, truncated: boolean, at: Date, trx: Knex.Transaction) {
    await this.db
      .table('disk_usage', trx)
      .insert({ website_id: site.id, subscription_id: site.subscription_id, bytes, files, truncated, measured_at: at })
      .onConflict('website_id')
      .merge();
    await this.db.table('disk_history', trx).insert({ website_id: site.id, measured_at: at, bytes }).onConflict().ignore();
  }

  /** Bytes measured for the subscription: its live sites' files and what other kinds report (databases). */
  async diskOfSubscription(subscriptionId: string, trx?: Knex.Transaction): Promise<number> {
    const row = (await this.db
      .table('disk_usage', trx)
      .where({ subscription_id: subscriptionId })
      .whereIn('website_id', this.sites(trx).clearSelect().select('id'))
      .sum({ bytes: 'bytes' })
      .first()) as { bytes: string | null } | undefined;
    const other = (await this.db
      .table('disk_other', trx)
      .where({ subscription_id: subscriptionId })
      .sum({ bytes: 'bytes' })
      .first()) as { bytes: string | null } | undefined;
    return num(row?.bytes) + num(other?.bytes);
  }

  /**
   * Replace what `kind` reports: the figures of `bytes` kept, subscriptions it no longer names
   * removed. Returns every subscription whose figure changed (their totals need recording).
   */
  async replaceOtherDisk(kind: string, bytes: Map<string, number>, at: Date): Promise<string[]> {
    return this.db.transaction(async (trx) => {
      const before = (await this.db.table('disk_other', trx).where({ kind }).select('subscription_id', 'bytes')) as Array<{
        subscription_id: string;
        bytes: string;
      }>;
      const old = new Map(before.map((r) => [r.subscription_id, num(r.bytes)]));
      const changed = new Set<string>();
      const gone = [...old.keys()].filter((id) => !bytes.has(id));
      if (gone.length > 0) await this.db.table('disk_other', trx).where({ kind }).whereIn('subscription_id', gone).delete();
      for (const id of gone) changed.add(id);
      const rows = [...bytes].map(([subscription_id, b]) => ({
        subscription_id,
        kind,
        bytes: Math.max(0, Math.round(b)),
        measured_at: at,
      }));
      for (const row of rows) if (old.get(row.subscription_id) !== row.bytes) changed.add(row.subscription_id);
      if (rows.length > 0) await this.db.table('disk_other', trx).insert(rows).onConflict(['subscription_id', 'kind']).merge();
      return [...changed];
    });
  }

  /** What other kinds report for a subscription, by kind (for the usage views). */
  async otherDiskOf(subscriptionId: string): Promise<Record<string, number>> {
    const rows = (await this.db.table('disk_other').where({ subscription_id: subscriptionId }).select('kind', 'bytes')) as Array<{
      kind: string;
      bytes: string;
    }>;
    return Object.fromEntries(rows.map((r) => [r.kind, num(r.bytes)]));
  }

  async diskOf(websiteId: string): Promise<{ bytes: number; files: number; measuredAt: string } | null> {
    const row = (await this.db.table('disk_usage').where({ website_id: websiteId }).first()) as
      { bytes: string; files: string; measured_at: Date } | undefined;
    return row ? { bytes: num(row.bytes), files: num(row.files), measuredAt: row.measured_at.toISOString() } : null;
  }

  // ─── traffic ───────────────────────────────────────────────────────────────

  async isCounted(file: string): Promise<boolean> {
    return (await this.db.table('counted_logs').where({ file }).first('file')) !== undefined;
  }

  /**
   * Add a log file's aggregate to the site's hourly and daily-path tables and mark the file
   * counted, in one transaction: a crash leaves it either fully counted or not at all, and a
   * second host offered the same file counts nothing (the marker's key).
   */
  async addTraffic(site: SiteRow, file: string, agg: Aggregate, topPathsPerDay: number): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const marked = await this.db
        .table('counted_logs', trx)
        .insert({ file, website_id: site.id, lines: agg.lines, rejected: agg.rejected })
        .onConflict('file')
        .ignore()
        .returning('file');
      if (marked.length === 0) return false;
      const hours = Object.entries(agg.hours).map(([hour, b]) => ({
        website_id: site.id,
        hour,
        subscription_id: site.subscription_id,
        requests: b.requests,
        bytes_out: b.bytesOut,
        bytes_in: b.bytesIn,
        status_2xx: b.status['2xx'],
        status_3xx: b.status['3xx'],
        status_4xx: b.status['4xx'],
        status_5xx: b.status['5xx'],
        status_other: b.status.other,
      }));
      if (hours.length > 0) {
        const t = 'traffic_hourly';
        const add = (c: string) => this.db.knex.raw(`${t}.${c} + excluded.${c}`);
        await this.db
          .table(t, trx)
          .insert(hours)
          .onConflict(['website_id', 'hour'])
          .merge({
            requests: add('requests'),
            bytes_out: add('bytes_out'),
            bytes_in: add('bytes_in'),
            status_2xx: add('status_2xx'),
            status_3xx: add('status_3xx'),
            status_4xx: add('status_4xx'),
            status_5xx: add('status_5xx'),
            status_other: add('status_other'),
          } as never);
      }
      const paths = Object.entries(agg.paths).flatMap(([day, byPath]) =>
        Object.entries(byPath)
          .sort((a, b) => b[1].requests - a[1].requests)
          .slice(0, topPathsPerDay)
          .map(([path, p]) => ({
            website_id: site.id,
            day,
            path: path.slice(0, 512),
            requests: p.requests,
            bytes_out: p.bytesOut,
          })),
      );
      if (paths.length > 0) {
        await this.db
          .table('traffic_paths', trx)
          .insert(paths)
          .onConflict(['website_id', 'day', 'path'])
          .merge({
            requests: this.db.knex.raw('traffic_paths.requests + excluded.requests'),
            bytes_out: this.db.knex.raw('traffic_paths.bytes_out + excluded.bytes_out'),
          } as never);
      }
      return true;
    });
  }

  /** Bytes out of the subscription's sites since `from`. */
  async bandwidthOfSubscription(subscriptionId: string, from: Date, to: Date): Promise<number> {
    const row = (await this.db
      .table('traffic_hourly')
      .where({ subscription_id: subscriptionId })
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .sum({ bytes: 'bytes_out' })
      .first()) as { bytes: string | null } | undefined;
    return num(row?.bytes);
  }

  /** Subscriptions with traffic since `from`. */
  async subscriptionsWithTraffic(from: Date): Promise<string[]> {
    const rows = (await this.db.table('traffic_hourly').where('hour', '>=', from).distinct('subscription_id')) as Array<{
      subscription_id: string;
    }>;
    return rows.map((r) => r.subscription_id);
  }

  /** A site's traffic in buckets of `bucket` (`hour` or `day`) over [from, to). */
  async traffic(websiteIds: string[], from: Date, to: Date, bucket: 'hour' | 'day'): Promise<TrafficPoint[]> {
    if (websiteIds.length === 0) return [];
    const k = this.db.knex;
    // Two fixed expressions, never text from a caller.
    const at = bucket === 'hour' ? 'hour' : `date_trunc('day', hour at time zone 'UTC') at time zone 'UTC'`;
    const rows = (await this.db
      .table('traffic_hourly')
      .whereIn('website_id', websiteIds)
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .groupByRaw('1')
      .orderByRaw('1')
      .select(
        k.raw(`${at} as at`),
        k.raw('sum(requests) as requests'),
        k.raw('sum(bytes_out) as bytes_out'),
        k.raw('sum(bytes_in) as bytes_in'),
        k.raw('sum(status_2xx) as s2'),
        k.raw('sum(status_3xx) as s3'),
        k.raw('sum(status_4xx) as s4'),
        k.raw('sum(status_5xx) as s5'),
        k.raw('sum(status_other) as so'),
      )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      at: (r.at as Date).toISOString(),
      requests: num(r.requests),
      bytesOut: num(r.bytes_out),
      bytesIn: num(r.bytes_in),
      status2xx: num(r.s2),
      status3xx: num(r.s3),
      status4xx: num(r.s4),
      status5xx: num(r.s5),
      statusOther: num(r.so),
    }));
  }

  async topPaths(websiteId: string, from: Date, to: Date, n: number) {
    const rows = (await this.db
      .table('traffic_paths')
      .where({ website_id: websiteId })
      .where('day', '>=', from.toISOString().slice(0, 10))
      .where('day', '<=', to.toISOString().slice(0, 10))
      .groupBy('path')
      .orderByRaw('sum(requests) desc, path')
      .limit(n)
      .select('path', this.db.knex.raw('sum(requests) as requests'), this.db.knex.raw('sum(bytes_out) as bytes_out'))) as Array<{
      path: string;
      requests: string;
      bytes_out: string;
    }>;
    return rows.map((r) => ({ path: r.path, requests: num(r.requests), bytesOut: num(r.bytes_out) }));
  }

  /** Requests and bytes per site since `from` (for the metrics), busiest first. */
  async trafficBySite(from: Date): Promise<Array<{ website_id: string; requests: number; bytes_out: number; s5: number }>> {
    const rows = (await this.db
      .table('traffic_hourly')
      .where('hour', '>=', from)
      .groupBy('website_id')
      .orderByRaw('sum(requests) desc')
      .select(
        'website_id',
        this.db.knex.raw('sum(requests) as requests'),
        this.db.knex.raw('sum(bytes_out) as bytes_out'),
        this.db.knex.raw('sum(status_5xx) as s5'),
      )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      website_id: String(r.website_id),
      requests: num(r.requests),
      bytes_out: num(r.bytes_out),
      s5: num(r.s5),
    }));
  }

  // ─── notices and retention ────────────────────────────────────────────────

  /** Claim the notice of (subscription, resource, period, level); false when already sent. */
  async claimNotice(subscriptionId: string, resource: string, period: string, level: string): Promise<boolean> {
    const rows = await this.db
      .table('quota_notices')
      .insert({ subscription_id: subscriptionId, resource, period, level })
      .onConflict(['subscription_id', 'resource', 'period', 'level'])
      .ignore()
      .returning('level');
    return rows.length > 0;
  }

  async releaseNotice(subscriptionId: string, resource: string, period: string, level: string): Promise<void> {
    await this.db.table('quota_notices').where({ subscription_id: subscriptionId, resource, period, level }).del();
  }

  /** Disk notices lapse once usage is back under the threshold, so the next crossing warns again. */
  async clearDiskNotices(subscriptionId: string, below: 'warning' | 'exceeded'): Promise<void> {
    const levels = below === 'warning' ? ['warning', 'exceeded'] : ['exceeded'];
    await this.db
      .table('quota_notices')
      .where({ subscription_id: subscriptionId, resource: 'disk_mb' })
      .whereIn('level', levels)
      .del();
  }

  async prune(before: Date): Promise<void> {
    await this.db.table('traffic_hourly').where('hour', '<', before).del();
    await this.db.table('traffic_paths').where('day', '<', before.toISOString().slice(0, 10)).del();
    await this.db.table('disk_history').where('measured_at', '<', before).del();
    await this.db.table('counted_logs').where('counted_at', '<', before).del();
  }
}
