/**
 * Resource limits of a subscription, enforced in one place. The accounts plugin writes each
 * subscription's limits (from its package); every plugin that creates a limited resource asks
 * `limits.assert` inside its own transaction, so concurrent creates can never overshoot.
 */
import type { Knex } from 'knex';

/** Limited resources. Plugins may use other names; these are the package's. */
export type LimitedResource =
  | 'disk_mb'
  | 'bandwidth_gb'
  | 'websites'
  | 'domains'
  | 'databases'
  | 'email_accounts'
  | 'cron_jobs'
  | 'backups'
  | 'backup_storage_mb';

/** One resource's usage against its limit (`null` = unlimited). */
export interface UsageLine {
  resource: string;
  used: number;
  limit: number | null;
}

/** The limits service (`coreServices.limits`). */
export interface LimitsService {
  /**
   * Reserve `delta` of `resource` for the subscription (negative to release). Throws
   * LIMITS_ERR_EXCEEDED (409, with used/limit in details) when it would go over the limit;
   * atomic across processes. Inside `trx`, the reservation rolls back with it.
   */
  assert(subscriptionId: string, resource: string, delta: number, options?: { trx?: Knex.Transaction }): Promise<UsageLine>;
  /**
   * Record a measured usage (disk, monthly bandwidth) as the resource's `used`, whatever its
   * limit: measuring is not reserving, and a measurement over the limit is the news, not an
   * error. Creates the line (unlimited) when the package does not name the resource. Throws
   * LIMITS_ERR_UNKNOWN_SUBSCRIPTION when the subscription has no limits at all.
   */
  record(subscriptionId: string, resource: string, used: number, options?: { trx?: Knex.Transaction }): Promise<UsageLine>;
  /** Set the limits of a subscription (resources not named keep theirs). `null` = unlimited. */
  setLimits(subscriptionId: string, limits: Record<string, number | null>, options?: { trx?: Knex.Transaction }): Promise<void>;
  /** Usage and limits of a subscription, one line per resource. */
  usage(subscriptionId: string): Promise<UsageLine[]>;
  /** Resources whose current usage exceeds the given limits (to refuse a downgrade). */
  wouldExceed(subscriptionId: string, limits: Record<string, number | null>): Promise<UsageLine[]>;
  /** Limit keys some started plugin enforces (declared in its definition's `limits`), sorted. */
  enforced(): string[];
}
