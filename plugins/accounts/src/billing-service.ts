/**
 * What accounts offers the billing plugin (`accountsBillingRef`, for plugins that require
 * accounts): moving a subscription's next due date, which only accounts may write (a
 * compare-and-set on the date billing invoiced from, so a billing job that runs twice moves it
 * once), and dunning's suspension, unsuspension and termination, which go through the same
 * status machine, audit entries and events as an administrator's.
 */
import { createServiceRef } from '@hostplane/sdk';
import { AccountsErrors } from './errors.js';
import { PLATFORM_ACTOR, type AccountsDeps, type ChangeSource } from './common.js';
import { transitionSubscription } from './subscription-routes.js';
import { selectSubscriptions, type SubscriptionAction, type SubscriptionRow } from './subscriptions.js';

/** The reason billing suspends with; only a suspension with it is lifted by payment. */
export const BILLING_SUSPEND_REASON = 'billing';

export interface AccountsBillingService {
  /**
   * Set `nextDueDate` to `to` if it is still `from` (ISO dates). True when it moved, or had
   * already moved to `to`; false when the subscription is gone or its date is something else.
   */
  advanceNextDueDate(input: { subscriptionId: string; from: string; to: string }): Promise<boolean>;
  /**
   * Suspend an active subscription for unpaid invoices: reason `billing`, at the platform's
   * level, so a reseller cannot lift it (payment, through {@link unsuspendForBilling}, or an
   * administrator does). True when it was suspended now.
   */
  suspendForBilling(input: { subscriptionId: string }): Promise<boolean>;
  /** Lift a suspension made by {@link suspendForBilling} (and no other). True when lifted now. */
  unsuspendForBilling(input: { subscriptionId: string }): Promise<boolean>;
  /** Terminate a subscription left unpaid (dunning's last step; off unless configured). */
  terminateForBilling(input: { subscriptionId: string }): Promise<boolean>;
}

export const accountsBillingRef = createServiceRef<AccountsBillingService>('accounts.billing');

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const BILLING_SOURCE: ChangeSource = { actor: null, via: 'billing' };

export function createAccountsBillingService(deps: AccountsDeps): AccountsBillingService {
  const { db } = deps;
  const current = async (id: string): Promise<SubscriptionRow | undefined> =>
    (await selectSubscriptions(db).where(`${db.schema}.subscriptions.id`, id).first()) as SubscriptionRow | undefined;
  /** Run a transition; false when the subscription is gone or no longer in a state it accepts. */
  const transition = async (id: string, action: SubscriptionAction, reason: string | null): Promise<boolean> => {
    try {
      await transitionSubscription(deps, PLATFORM_ACTOR, id, action, reason, BILLING_SOURCE);
      return true;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === AccountsErrors.transitionRefused.code || code === AccountsErrors.subscriptionNotFound.code) return false;
      throw err;
    }
  };
  return {
    async suspendForBilling({ subscriptionId }) {
      const row = await current(subscriptionId);
      if (row?.status !== 'active') return false;
      return transition(subscriptionId, 'suspend', BILLING_SUSPEND_REASON);
    },
    async unsuspendForBilling({ subscriptionId }) {
      const row = await current(subscriptionId);
      // Only billing's own suspension: one by a person, or with the user, stays.
      if (row?.status !== 'suspended' || row.suspend_reason !== BILLING_SUSPEND_REASON || row.suspended_with_user) return false;
      return transition(subscriptionId, 'unsuspend', null);
    },
    async terminateForBilling({ subscriptionId }) {
      return transition(subscriptionId, 'terminate', BILLING_SUSPEND_REASON);
    },
    async advanceNextDueDate({ subscriptionId, from, to }) {
      if (!DATE.test(from) || !DATE.test(to)) throw new TypeError('dates must be YYYY-MM-DD');
      const moved = await db
        .table('subscriptions')
        .where({ id: subscriptionId, next_due_date: from })
        .update({ next_due_date: to, updated_at: db.knex.fn.now() })
        // Once per invoice of a billing run: prepared once per connection, not planned each time.
        .options({ name: 'hostplane_accounts_advance_due_date' });
      if (moved > 0) return true;
      const row = await db.table('subscriptions').where({ id: subscriptionId }).first(db.knex.raw('next_due_date::text as d'));
      return (row as { d?: string } | undefined)?.d === to;
    },
  };
}
