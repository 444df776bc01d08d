/**
 * A new website's zone: on `website.created`, the zone of the site's domain (without a leading
 * `www.`) is made from the template of the site's package (its subscription's; decision 0070)
 * for the site's owner, unless a zone already answers for it
 * or overlaps it (anyone's: the customer may own only what nobody else's zone covers, and their
 * own zone already serves the name). Refusals are expected and logged, not errors.
 */
import { isHostplaneError, type Actor, type Logger } from '@hostplane/sdk';
import type {} from '@hostplane/plugin-websites';
import type { DnsConfig } from './config.js';
import type { PackageTemplates } from './package-templates.js';
import type { ZonesService } from './zones-service.js';

export function zoneForWebsite(service: ZonesService, templates: PackageTemplates, config: () => DnsConfig, logger: Logger) {
  return async (payload: { websiteId: string; ownerId: string; subscriptionId: string; domain: string }): Promise<void> => {
    if (!config().zonesForWebsites) return;
    const name = payload.domain.replace(/^www\./, '');
    // The owner acts for itself: nobody's rights are borrowed, and the zone is theirs.
    const actor: Actor = { userId: payload.ownerId, role: 'customer', permissions: new Set(['dns.zone.write']) };
    try {
      const packageId = await templates.packageOfSubscription(payload.subscriptionId);
      const zone = await service.createZone(actor, { name }, { auto: true, packageId });
      logger.info({ zone: zone.name, websiteId: payload.websiteId }, 'zone created for a new website');
    } catch (err) {
      if (isHostplaneError(err) && err.statusCode < 500) {
        logger.info({ zone: name, websiteId: payload.websiteId, code: err.code }, `no zone for the website: ${err.message}`);
        return;
      }
      throw err;
    }
  };
}
