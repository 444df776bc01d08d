/**
 * What websites offers the plugins that enforce a package's bandwidth (`websitesThrottleRef`,
 * for plugins that require websites; the usage metering plugin's overage action `throttle`):
 * every site of a subscription served at a bounded rate until the throttle is lifted. The
 * throttle is kept per subscription, so a site created meanwhile is throttled too, and each
 * change re-applies the subscription's sites through the reconciler.
 */
import { createServiceRef, type AuditService, type DatabaseService, type SiteThrottle } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { WebsitesService } from './websites-service.js';

export interface WebsitesThrottleService {
  /**
   * Throttle every site of the subscription (replacing an earlier throttle of it), recording
   * `via` (the calling plugin) and `reason` in the audit log. True when something changed.
   */
  throttle(input: { subscriptionId: string; throttle: SiteThrottle; reason: string; via: string }): Promise<boolean>;
  /** Lift the subscription's throttle; false when it had none. */
  lift(input: { subscriptionId: string; via: string }): Promise<boolean>;
  /** The subscriptions throttled now. */
  throttled(): Promise<Array<{ subscriptionId: string; throttle: SiteThrottle; reason: string; since: Date }>>;
}

export const websitesThrottleRef = createServiceRef<WebsitesThrottleService>('websites.throttle');

interface ThrottleRow {
  subscription_id: string;
  bytes_per_second: number;
  connections: number;
  reason: string;
  created_at: Date;
}

/** Bounds a driver accepts (SiteThrottle's TSDoc); checked here so a bad value fails at its caller. */
function assertThrottle(throttle: SiteThrottle): void {
  const { bytesPerSecond, connections } = throttle;
  if (!Number.isInteger(bytesPerSecond) || bytesPerSecond < 1024 || bytesPerSecond > 1024 ** 3) {
    throw new RangeError('throttle.bytesPerSecond must be an integer 1024–1073741824');
  }
  if (!Number.isInteger(connections) || connections < 1 || connections > 10_000) {
    throw new RangeError('throttle.connections must be an integer 1–10000');
  }
}

export function createWebsitesThrottleService(deps: {
  db: DatabaseService;
  audit: AuditService;
  service: WebsitesService;
}): WebsitesThrottleService {
  const { db, audit, service } = deps;
  const table = (trx?: Knex.Transaction) => db.table<ThrottleRow>('subscription_throttles', trx);
  // Re-apply the subscription's sites, with the audit entry, in the change's transaction.
  const touch = (subscriptionId: string, action: string, details: Record<string, unknown>, trx: Knex.Transaction) =>
    service
      .touchSubscriptionSites(subscriptionId, trx)
      .then(() =>
        audit.record(
          { action, actorId: null, target: { type: 'subscription', id: subscriptionId }, details, ip: null, requestId: null },
          { trx },
        ),
      );

  return {
    async throttle({ subscriptionId, throttle, reason, via }) {
      assertThrottle(throttle);
      return db.transaction(async (trx) => {
        const before = await table(trx).where({ subscription_id: subscriptionId }).forUpdate().first();
        if (before && before.bytes_per_second === throttle.bytesPerSecond && before.connections === throttle.connections) {
          return false;
        }
        await table(trx)
          .insert({
            subscription_id: subscriptionId,
            bytes_per_second: throttle.bytesPerSecond,
            connections: throttle.connections,
            reason: reason.slice(0, 500),
          })
          .onConflict('subscription_id')
          .merge(['bytes_per_second', 'connections', 'reason']);
        await touch(subscriptionId, 'websites.subscription.throttled', { ...throttle, reason: reason.slice(0, 500), via }, trx);
        return true;
      });
    },
    async lift({ subscriptionId, via }) {
      return db.transaction(async (trx) => {
        const removed = await table(trx).where({ subscription_id: subscriptionId }).delete();
        if (removed === 0) return false;
        await touch(subscriptionId, 'websites.subscription.unthrottled', { via }, trx);
        return true;
      });
    },
    async throttled() {
      const rows = (await table().orderBy('created_at')) as ThrottleRow[];
      return rows.map((r) => ({
        subscriptionId: r.subscription_id,
        throttle: { bytesPerSecond: r.bytes_per_second, connections: r.connections },
        reason: r.reason,
        since: r.created_at,
      }));
    },
  };
}
