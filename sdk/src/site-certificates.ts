/**
 * Certificates of websites: the `site-certificates` extension point. A certificate plugin
 * (`plugins/tls-acme`) implements it; the websites plugin looks it up when it builds a site's
 * {@link SiteSpec}, so sites work without one (plain HTTP) and neither plugin reads the other's
 * tables. See docs/decisions/0038-certificates-reach-websites-through-an-extension-point.md.
 */
import type { SiteTls } from './webserver.js';

/** What one site should serve over HTTPS, and which change of it that is. */
export interface SiteTlsState {
  /** Grows with every change (new certificate, switch flipped, certificate removed). */
  version: number;
  /** Null: no usable certificate, the site is served over plain HTTP only. */
  tls: SiteTls | null;
}

/**
 * Implemented by the plugin that manages certificates. The websites plugin asks for the sites
 * it applies, and acknowledges each version the web server took, so a change made while no
 * reconcile ran (a crash, another process) is still found by the next one.
 */
export interface SiteCertificates {
  /** Current TLS of these sites; sites it knows nothing of are absent from the map. */
  forSites(siteIds: string[]): Promise<Map<string, SiteTlsState>>;
  /** Sites whose current version the web server has not taken yet, at most `limit`. */
  changed(limit: number): Promise<string[]>;
  /** The web server took `version` of the site's TLS (applied it, or refused it for good). */
  served(siteId: string, version: number): Promise<void>;
}

declare module './events.js' {
  interface HostplaneEvents {
    /**
     * What a site should serve over HTTPS changed (emitted by the `site-certificates` provider
     * after its commit): the websites plugin reconciles. A nudge only; the next sweep finds a
     * change whose event was lost through {@link SiteCertificates.changed}.
     */
    'certificate.changed': { websiteId: string };
  }
}
