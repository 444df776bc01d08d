/**
 * What accounts offers the billing plugin (`accountsBillingRef`, for plugins that require
 * accounts): moving a subscription's next due date, which only accounts may write. A
 * compare-and-set on the date billing invoiced from, so a billing job that runs twice (a crash
 * after its invoice committed) moves it once.
 */
import { createServiceRef } from '@hostplane/sdk';
import type { AccountsDeps } from './common.js';

export interface AccountsBillingService {
  /**
   * Set `nextDueDate` to `to` if it is still `from` (ISO dates). True when it moved, or had
   * already moved to `to`; false when the subscription is gone or its date is something else.
   */
  advanceNextDueDate(input: { subscriptionId: string; from: string; to: string }): Promise<boolean>;
}

export const accountsBillingRef = createServiceRef<AccountsBillingService>('accounts.billing');

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function createAccountsBillingService(db: AccountsDeps['db']): AccountsBillingService {
  return {
    async advanceNextDueDate({ subscriptionId, from, to }) {
      if (!DATE.test(from) || !DATE.test(to)) throw new TypeError('dates must be YYYY-MM-DD');
      const moved = await db
        .table('subscriptions')
        .where({ id: subscriptionId, next_due_date: from })
        .update({ next_due_date: to, updated_at: db.knex.fn.now() });
      if (moved > 0) return true;
      const row = await db.table('subscriptions').where({ id: subscriptionId }).first(db.knex.raw('next_due_date::text as d'));
      return (row as { d?: string } | undefined)?.d === to;
    },
  };
}
