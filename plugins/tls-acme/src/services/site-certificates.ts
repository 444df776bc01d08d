/** The `site-certificates` extension point: what the websites plugin asks when it applies sites. */
import type { SecretsService, SiteCertificates, SiteTlsState } from '@hostplane/sdk';
import type { CertificateRow, CertificateStore } from '../store.js';
import { borrowed } from './shared-wildcards.js';

export function siteCertificates(store: CertificateStore, secrets: SecretsService): SiteCertificates {
  return {
    async forSites(siteIds) {
      const result = new Map<string, SiteTlsState>();
      if (siteIds.length === 0) return result;
      const rows = (await store.certificates().whereIn('website_id', siteIds)) as CertificateRow[];
      for (const row of rows) {
        const key = row.certificate_pem && row.key_secret ? await secrets.get(row.key_secret) : undefined;
        result.set(row.website_id, {
          version: row.version,
          // A row without a usable key (never issued, or its secret lost) serves plain HTTP.
          tls:
            row.certificate_pem && key
              ? { certificate: row.certificate_pem, key, forceHttps: row.force_https, hsts: row.hsts }
              : null,
        });
      }
      // Sites without a usable certificate of their own: their owner's covering wildcard, if any.
      const missing = siteIds.filter((id) => !result.get(id)?.tls);
      const own = new Map(rows.map((r) => [r.website_id, r]));
      for (const [id, state] of await borrowed(store, secrets, missing, own)) result.set(id, state);
      return result;
    },
    async changed(limit) {
      const rows = (await store
        .certificates()
        .whereRaw('served_version < version')
        .orderBy('updated_at')
        .limit(limit)
        .select('website_id')) as Array<{ website_id: string }>;
      return rows.map((r) => r.website_id);
    },
    async served(siteId, version) {
      await store
        .certificates()
        .where({ website_id: siteId })
        .where('served_version', '<', version)
        .update({ served_version: version });
    },
  };
}
