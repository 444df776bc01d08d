/**
 * A site without a certificate of its own serves its owner's wildcard certificate when that
 * covers every one of its names (`blog.example.com` under the `*.example.com` of the site
 * `example.com`). The borrower keeps its own row (state `none`) whose version moves whenever a
 * wildcard of its owner is installed or goes, so the websites reconciler re-applies it through
 * `site-certificates` like any other certificate change (decision 0038's acknowledgements).
 * A borrower has switches (force-HTTPS, HSTS) of its own, in its own row: the lender's are not
 * the borrower's choice, and the borrower's apply only while it serves the wildcard.
 */
import type { EventsService, SecretsService, SiteTlsState } from '@hostplane/sdk';
import type { Knex } from 'knex';
import type { CertificateRow, CertificateStore, SiteRow } from '../store.js';
import { namesOf } from './names.js';

/** Whether `names` (a certificate's SAN list) cover `domain`: exactly, or by a wildcard one label deep. */
export function covers(names: readonly string[], domain: string): boolean {
  return names.some((n) => {
    if (n === domain) return true;
    if (!n.startsWith('*.')) return false;
    const suffix = n.slice(1);
    return domain.endsWith(suffix) && !domain.slice(0, -suffix.length).includes('.') && domain.length > suffix.length;
  });
}

export const hasWildcard = (names: readonly string[]): boolean => names.some((n) => n.startsWith('*.'));

/**
 * TLS for the sites in `missing` (no usable certificate of their own) from a wildcard of the
 * same owner that covers all their names. `own` holds their rows, when they have one (version).
 */
export async function borrowed(
  store: CertificateStore,
  secrets: SecretsService,
  missing: string[],
  own: Map<string, CertificateRow>,
): Promise<Map<string, SiteTlsState>> {
  const result = new Map<string, SiteTlsState>();
  if (missing.length === 0) return result;
  const lenders = await store.wildcardsOf({ ofSites: missing });
  if (lenders.length === 0) return result;
  const sites = await store.sitesByIds(missing);
  const named = lenders.map((l) => ({ row: l.row, owner: l.owner_id, names: namesOf(l.row) }));
  for (const site of sites) {
    const lender = named.find(
      (l) => l.owner === site.owner_id && l.row.website_id !== site.id && site.domains.every((d) => covers(l.names, d)),
    );
    if (!lender?.row.certificate_pem || !lender.row.key_secret) continue;
    const key = await secrets.get(lender.row.key_secret);
    if (!key) continue;
    result.set(site.id, {
      version: own.get(site.id)?.version ?? 0,
      tls: {
        certificate: lender.row.certificate_pem,
        key,
        forceHttps: own.get(site.id)?.force_https ?? false,
        hsts: own.get(site.id)?.hsts ?? false,
      },
    });
  }
  return result;
}

/** The primary domain of the site whose wildcard `site` serves (it has no certificate of its own), or null. */
export async function lenderOf(store: CertificateStore, site: SiteRow): Promise<string | null> {
  const lenders = await store.wildcardsOf([site.owner_id]);
  const lender = lenders.find((l) => l.row.website_id !== site.id && site.domains.every((d) => covers(namesOf(l.row), d)));
  return lender?.domain ?? null;
}

/**
 * A wildcard of `ownerId` was installed or goes (`nameSets`: the old and new names): the owner's
 * live sites without a certificate of their own that either covers get a row and a new version,
 * and websites is nudged, in the caller's transaction.
 */
export async function touchBorrowers(
  store: CertificateStore,
  events: EventsService,
  trx: Knex.Transaction,
  ownerId: string,
  lenderId: string,
  nameSets: string[][],
): Promise<number> {
  const wildcards = nameSets.filter(hasWildcard);
  if (wildcards.length === 0) return 0;
  const candidates = (await store.liveSitesOf(ownerId, trx)).filter(
    (s: SiteRow) => s.id !== lenderId && wildcards.some((names) => s.domains.every((d) => covers(names, d))),
  );
  let touched = 0;
  for (const site of candidates) {
    const row = await store.ensure(site, trx);
    if (row.certificate_pem) continue;
    await store
      .certificates(trx)
      .where({ website_id: site.id })
      .update({ version: trx.raw('version + 1'), updated_at: trx.fn.now() });
    await events.emit('certificate.changed', { websiteId: site.id }, { trx });
    touched += 1;
  }
  return touched;
}
