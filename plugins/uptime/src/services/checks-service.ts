/**
 * Adding, changing and removing checks: the rules a caller's input must meet (interval, path,
 * how many per website), each change audited in its transaction.
 */
import type { Actor, AuditService, ClockService, DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { INTERVALS } from '../config.js';
import { type UptimeConfig } from '../config.js';
import { UptimeErrors } from '../errors.js';
import type { CheckRow, UptimeStore } from '../store.js';

export interface CheckInput {
  protocol?: 'http' | 'https';
  path?: string;
  keyword?: string | null;
  intervalMinutes?: (typeof INTERVALS)[number];
  enabled?: boolean;
}

export interface RequestInfo {
  actorId: string | null;
  ip?: string;
  requestId?: string;
}

/** A path as the check sends it: absolute, printable ASCII, no fragment (percent-encode the rest). */
export function checkPath(path: string): string {
  if (!path.startsWith('/')) throw UptimeErrors.invalidPath('it must start with /');
  if (path.startsWith('//')) throw UptimeErrors.invalidPath('it must not start with //');
  if (!/^[\x21-\x7e]+$/.test(path)) throw UptimeErrors.invalidPath('percent-encode spaces and characters outside ASCII');
  if (path.includes('#')) throw UptimeErrors.invalidPath('a fragment (#…) is never sent to the server');
  return path;
}

export class ChecksService {
  constructor(
    private readonly d: {
      db: DatabaseService;
      store: UptimeStore;
      audit: AuditService;
      clock: ClockService;
      config: () => UptimeConfig;
    },
  ) {}

  private interval(minutes: number): number {
    const minimum = this.d.config().minimumIntervalMinutes;
    if (minutes < minimum) throw UptimeErrors.intervalTooShort(minimum);
    return minutes;
  }

  async create(actor: Actor, websiteId: string, input: CheckInput, info: RequestInfo): Promise<CheckRow> {
    const { db, store, config } = this.d;
    const values = {
      protocol: input.protocol ?? 'http',
      path: checkPath(input.path ?? '/'),
      keyword: input.keyword ?? null,
      interval_minutes: this.interval(input.intervalMinutes ?? Math.max(5, config().minimumIntervalMinutes)),
      enabled: input.enabled ?? true,
    };
    return this.unique(() =>
      db.transaction(async (trx) => {
        const site = await store.siteFor(actor, websiteId, trx);
        // One at a time per website, so parallel requests cannot pass the count together.
        await trx.raw(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`uptime:${site.id}`]);
        const counted = (await store.checks(trx).where('website_id', site.id).count({ count: '*' })) as Array<{ count: string }>;
        if (Number(counted[0]?.count ?? 0) >= config().maxChecksPerSite) throw UptimeErrors.tooMany(config().maxChecksPerSite);
        const [row] = (await store
          .checks(trx)
          .insert({
            ...values,
            website_id: site.id,
            owner_id: site.owner_id,
            domain: site.domain,
            next_check_at: this.d.clock.now(),
            created_by: info.actorId,
          })
          .returning('*')) as CheckRow[];
        await this.audited('uptime.check.created', row!, info, trx, { url: `${values.protocol}://${site.domain}${values.path}` });
        return row!;
      }),
    );
  }

  async update(actor: Actor, id: string, input: CheckInput, info: RequestInfo): Promise<CheckRow> {
    const { db, store } = this.d;
    const changes: Partial<CheckRow> = {};
    if (input.protocol !== undefined) changes.protocol = input.protocol;
    if (input.path !== undefined) changes.path = checkPath(input.path);
    if (input.keyword !== undefined) changes.keyword = input.keyword;
    if (input.intervalMinutes !== undefined) changes.interval_minutes = this.interval(input.intervalMinutes);
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    return this.unique(() =>
      db.transaction(async (trx) => {
        const row = await store.checkFor(actor, id, trx, true);
        // A changed address or a resumed check is checked at the next tick, and its state starts over.
        const readdressed =
          (changes.protocol !== undefined && changes.protocol !== row.protocol) ||
          (changes.path !== undefined && changes.path !== row.path) ||
          (changes.keyword !== undefined && changes.keyword !== row.keyword);
        const resumed = changes.enabled === true && !row.enabled;
        const [updated] = (await store
          .checks(trx)
          .where('id', row.id)
          .update({
            ...changes,
            ...(readdressed || resumed ? { next_check_at: this.d.clock.now() } : {}),
            ...(readdressed ? { state: 'unknown', state_since: null, failures: 0, failing_since: null } : {}),
            updated_at: this.d.clock.now(),
          })
          .returning('*')) as CheckRow[];
        if (readdressed)
          await store.db
            .table('incidents', trx)
            .where({ check_id: row.id })
            .whereNull('ended_at')
            .update({ ended_at: this.d.clock.now() });
        await this.audited('uptime.check.updated', updated!, info, trx, { changed: Object.keys(input) });
        return updated!;
      }),
    );
  }

  async remove(actor: Actor, id: string, info: RequestInfo): Promise<void> {
    await this.d.db.transaction(async (trx) => {
      const row = await this.d.store.checkFor(actor, id, trx, true);
      await this.d.store.checks(trx).where('id', row.id).delete();
      await this.audited('uptime.check.deleted', row, info, trx, { url: `${row.protocol}://${row.domain}${row.path}` });
    });
  }

  /** The unique (website, protocol, path) index as a clear 409. */
  private async unique<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw UptimeErrors.duplicate();
      throw err;
    }
  }

  private async audited(
    action: string,
    row: CheckRow,
    info: RequestInfo,
    trx: Knex.Transaction,
    details: Record<string, unknown>,
  ) {
    await this.d.audit.record(
      {
        action,
        actorId: info.actorId,
        target: { type: 'website', id: row.website_id },
        details: { checkId: row.id, ...details },
        ip: info.ip ?? null,
        requestId: info.requestId ?? null,
      },
      { trx },
    );
  }
}
