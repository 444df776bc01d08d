/**
 * Measured usage against the package: recorded as the subscription's `disk_mb` and
 * `bandwidth_gb` usage (what the usage API and the panel's bars show), a warning at the
 * configured percent and a notice at 100 % (each once per period), the configured action on
 * bandwidth overage, and the before-hooks that refuse new sites and uploads on a full disk.
 */
import type { ClockService, EventsService, LimitsService, Logger, MailerService, UsersService } from '@hostplane/sdk';
import type { AccountsSuspensionService } from '@hostplane/plugin-accounts';
import type { WebsitesThrottleService } from '@hostplane/plugin-websites';
import type { MeteringConfig } from '../config.js';
import { MeteringErrors } from '../errors.js';
import type { MeteringStore } from '../store.js';
import { quotaExceededMail, quotaWarningMail } from './mail.js';

export const MB = 1024 * 1024;
export const GB = 1024 * MB;

export interface QuotaDeps {
  store: MeteringStore;
  limits: LimitsService;
  events: EventsService;
  mailer: MailerService;
  users: UsersService;
  clock: ClockService;
  logger: Logger;
  config: () => MeteringConfig;
  suspension: () => AccountsSuspensionService;
  throttle: () => WebsitesThrottleService;
}

type Resource = 'disk_mb' | 'bandwidth_gb';

/** The month a bandwidth figure belongs to (`2026-12`) and its bounds, in UTC. */
export function monthOf(now: Date): { period: string; from: Date; to: Date } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { period: from.toISOString().slice(0, 7), from, to };
}

/** The throttle the config sets (SiteThrottle for the web server). */
function throttleOf(config: MeteringConfig): { bytesPerSecond: number; connections: number } {
  return { bytesPerSecond: config.throttleKilobytesPerSecond * 1024, connections: config.throttleConnections };
}

export class Quotas {
  constructor(private readonly deps: QuotaDeps) {}

  /** The package's limit of `resource` (null: unlimited or no limits known). */
  async limitOf(subscriptionId: string, resource: Resource): Promise<number | null> {
    const usage = await this.deps.limits.usage(subscriptionId).catch(() => []);
    return usage.find((u) => u.resource === resource)?.limit ?? null;
  }

  /** Record the subscription's measured disk and act on thresholds. */
  async disk(subscriptionId: string): Promise<void> {
    const bytes = await this.deps.store.diskOfSubscription(subscriptionId);
    await this.record(subscriptionId, 'disk_mb', Math.ceil(bytes / MB));
    await this.thresholds(subscriptionId, 'disk_mb', bytes / MB, 'disk');
  }

  /** Record the subscription's bandwidth this month and act on thresholds. */
  async bandwidth(subscriptionId: string): Promise<void> {
    const month = monthOf(this.deps.clock.now());
    const bytes = await this.deps.store.bandwidthOfSubscription(subscriptionId, month.from, month.to);
    await this.record(subscriptionId, 'bandwidth_gb', Math.floor(bytes / GB));
    await this.thresholds(subscriptionId, 'bandwidth_gb', bytes / GB, month.period);
  }

  private async record(subscriptionId: string, resource: Resource, used: number): Promise<void> {
    await this.deps.limits.record(subscriptionId, resource, used).catch((err: { code?: string }) => {
      // A subscription the accounts plugin set no limits for: nothing to record against.
      if (err.code !== 'LIMITS_ERR_UNKNOWN_SUBSCRIPTION') throw err;
    });
  }

  private async thresholds(subscriptionId: string, resource: Resource, used: number, period: string): Promise<void> {
    const limit = await this.limitOf(subscriptionId, resource);
    if (limit === null) return;
    const { store, config } = this.deps;
    const warnAt = (limit * config().warnPercent) / 100;
    if (resource === 'disk_mb') {
      // Disk goes down as well as up: a notice lapses below its threshold, so the next crossing tells again.
      if (used < warnAt) await store.clearDiskNotices(subscriptionId, 'warning');
      else if (used < limit) await store.clearDiskNotices(subscriptionId, 'exceeded');
    }
    if (used >= limit) await this.cross(subscriptionId, resource, 'exceeded', used, limit, period);
    else if (used >= warnAt) await this.cross(subscriptionId, resource, 'warning', used, limit, period);
  }

  private async cross(
    subscriptionId: string,
    resource: Resource,
    level: 'warning' | 'exceeded',
    used: number,
    limit: number,
    period: string,
  ): Promise<void> {
    const { store } = this.deps;
    if (!(await store.claimNotice(subscriptionId, resource, period, level))) return;
    try {
      await this.act(subscriptionId, resource, level, used, limit, period);
    } catch (err) {
      // Give the claim back, so the next run tries again rather than never.
      await store.releaseNotice(subscriptionId, resource, period, level);
      throw err;
    }
  }

  private async act(
    subscriptionId: string,
    resource: Resource,
    level: 'warning' | 'exceeded',
    used: number,
    limit: number,
    period: string,
  ): Promise<void> {
    const { store, events, mailer, users, logger, config } = this.deps;
    const subscription = await store.subscription(subscriptionId);
    if (!subscription) return;
    let action: 'notified' | 'suspended' | 'throttled' = 'notified';
    const overage = config().bandwidthOverage;
    if (resource === 'bandwidth_gb' && level === 'exceeded' && overage !== 'notify') {
      const reason = `Monthly bandwidth used up (${used.toFixed(2)} GB of ${limit} GB in ${period})`;
      if (overage === 'suspend') {
        if (await this.deps.suspension().suspend({ subscriptionId, reason, via: 'metering' })) action = 'suspended';
      } else {
        await this.deps.throttle().throttle({ subscriptionId, throttle: throttleOf(config()), reason, via: 'metering' });
        action = 'throttled';
      }
    }
    // A suspension mails the customer itself, with this reason: a quota mail as well would be a
    // second mail about the same thing.
    const customer = action === 'suspended' ? null : await users.get(subscription.customer_id);
    if (customer) {
      await mailer.sendTemplate(level === 'warning' ? quotaWarningMail : quotaExceededMail, {
        to: customer.email,
        recipientId: customer.id,
        variables: { resource, used, limit, period, action },
      });
    }
    const rounded = Math.round(used * 100) / 100;
    logger.info({ subscriptionId, resource, level, used: rounded, limit, action }, 'usage threshold crossed');
    await events.emit('usage.threshold.crossed', {
      subscriptionId,
      customerId: subscription.customer_id,
      resource,
      level,
      used: rounded,
      limit,
      period,
      action,
    });
  }

  /**
   * Lift the throttles whose reason is gone: this month's bandwidth is under the package's
   * limit again (a new month, a larger package), or the overage action is no longer `throttle`.
   * Run after each traffic count. Returns the subscriptions lifted.
   */
  async liftThrottles(): Promise<string[]> {
    const throttles = this.deps.throttle();
    const month = monthOf(this.deps.clock.now());
    const lifted: string[] = [];
    for (const { subscriptionId } of await throttles.throttled()) {
      if (this.deps.config().bandwidthOverage === 'throttle') {
        const limit = await this.limitOf(subscriptionId, 'bandwidth_gb');
        const bytes = await this.deps.store.bandwidthOfSubscription(subscriptionId, month.from, month.to);
        if (limit !== null && bytes / GB >= limit) continue;
      }
      if (await throttles.lift({ subscriptionId, via: 'metering' })) {
        lifted.push(subscriptionId);
        this.deps.logger.info({ subscriptionId, period: month.period }, 'bandwidth throttle lifted');
      }
    }
    return lifted;
  }

  /**
   * Refuse growth on a full disk (the before-hooks of website creation and file uploads): the
   * measured use plus `adding` bytes must stay under the package's `disk_mb`.
   */
  async assertDiskRoom(subscriptionId: string, adding: number): Promise<void> {
    const limit = await this.limitOf(subscriptionId, 'disk_mb');
    if (limit === null) return;
    const bytes = await this.deps.store.diskOfSubscription(subscriptionId);
    if (bytes >= limit * MB || (adding > 0 && bytes + adding > limit * MB)) {
      throw MeteringErrors.diskFull(Math.ceil(bytes / MB), limit);
    }
  }
}
