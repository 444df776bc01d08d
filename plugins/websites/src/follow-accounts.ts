/**
 * Websites follow their subscription and their owner: a suspended subscription or user
 * suspends the sites (each reason kept apart, so lifting one does not lift another), a
 * terminated subscription deletes them.
 */
import type { SetupContext } from '@hostplane/sdk';
import type { RequestInfo, WebsitesService } from './websites-service.js';

const SYSTEM: RequestInfo = { actorId: null };

export function followAccounts(ctx: Pick<SetupContext, 'on'>, service: WebsitesService): void {
  ctx.on('subscription.suspended', async ({ subscriptionId, reason }) => {
    await service.forEachSite({ subscription_id: subscriptionId }, (site, trx) =>
      service.suspend(site, 'subscription', reason, SYSTEM, trx),
    );
  });
  ctx.on('subscription.unsuspended', async ({ subscriptionId }) => {
    await service.forEachSite({ subscription_id: subscriptionId }, (site, trx) =>
      service.unsuspend(site, 'subscription', SYSTEM, trx),
    );
  });
  ctx.on('subscription.terminated', async ({ subscriptionId }) => {
    await service.forEachSite({ subscription_id: subscriptionId }, (site, trx) => service.remove(site, SYSTEM, trx));
  });
  ctx.on('user.suspended', async ({ userId, reason }) => {
    await service.forEachSite({ owner_id: userId }, (site, trx) => service.suspend(site, 'user', reason, SYSTEM, trx));
  });
  ctx.on('user.unsuspended', async ({ userId }) => {
    await service.forEachSite({ owner_id: userId }, (site, trx) => service.unsuspend(site, 'user', SYSTEM, trx));
  });
}
