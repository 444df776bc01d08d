/**
 * What accounts offers plugins that enforce a package's terms (`accountsSuspensionRef`, for
 * plugins that require accounts): suspending a subscription as the platform, with a reason,
 * through the same status machine, audit entry and `subscription.suspended` event as an admin's.
 */
import { createServiceRef } from '@hostplane/sdk';
import { PLATFORM_ACTOR, type AccountsDeps } from './common.js';
import { transitionSubscription } from './subscription-routes.js';

export interface AccountsSuspensionService {
  /**
   * Suspend the subscription at the platform's level (only an admin lifts it), recording `via`
   * (the calling plugin) in the audit entry. False when it is not active or pending (already
   * suspended, cancelled …): nothing changes then.
   */
  suspend(input: { subscriptionId: string; reason: string; via: string }): Promise<boolean>;
}

export const accountsSuspensionRef = createServiceRef<AccountsSuspensionService>('accounts.suspension');

export function createAccountsSuspensionService(deps: AccountsDeps): AccountsSuspensionService {
  return {
    async suspend({ subscriptionId, reason, via }) {
      const current = await deps.db.table('subscriptions').where({ id: subscriptionId }).first('status');
      if (!current || !['active', 'pending'].includes((current as { status: string }).status)) return false;
      try {
        await transitionSubscription(deps, PLATFORM_ACTOR, subscriptionId, 'suspend', reason.slice(0, 500), {
          actor: null,
          via,
        });
        return true;
      } catch (err) {
        // Suspended by someone else meanwhile: the outcome wanted.
        if ((err as { code?: string }).code === 'ACCOUNTS_ERR_TRANSITION_REFUSED') return false;
        throw err;
      }
    },
  };
}
