/**
 * Automatic HTTPS (decision 0084), as cPanel's AutoSSL and Caddy do it: when the web server first
 * serves a website, its first certificate is ordered without anyone asking. HTTP-01 needs the
 * site served, hence `website.activated` rather than `website.created`. A site its owner's
 * wildcard already covers is left to that wildcard; a site that has had any certificate, order or
 * failure is left alone (a failed first order is the customer's to retry, once the names point here).
 */
import type { CertificateStore } from '../store.js';
import type { CertificatesService } from './certificates-service.js';
import { namesOf } from './names.js';
import { covers } from './shared-wildcards.js';

export async function autoIssue(store: CertificateStore, service: CertificatesService, websiteId: string): Promise<boolean> {
  const site = await store.site(websiteId);
  if (!site || site.desired === 'deleted' || site.domains.length === 0) return false;
  const lenders = await store.wildcardsOf({ ofSites: [site.id] });
  const borrowed = lenders.some(
    (l) => l.owner_id === site.owner_id && l.row.website_id !== site.id && site.domains.every((d) => covers(namesOf(l.row), d)),
  );
  if (borrowed) return false;
  const view = await service.request(site, { actorId: null }, { onlyFirst: true });
  return view.state === 'pending';
}
