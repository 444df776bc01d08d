// The websites plugin's events (website.deleted), which this plugin follows.
import type {} from '@hostplane/plugin-websites';

/** The events this plugin adds to the typed map (notifications and monitoring listen). */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** A new certificate (issued or uploaded) is stored for the site; the web server follows. */
    'certificate.issued': { websiteId: string; domains: string[]; issuer: string; notAfter: string; source: 'acme' | 'upload' };
    /** An ACME order for the site failed (`final`: no more automatic tries for this order). */
    'certificate.failed': { websiteId: string; domains: string[]; reason: string; attempts: number; final: boolean };
    /** The site's certificate expires within the configured warning window (once per certificate). */
    'certificate.expiring': { websiteId: string; domains: string[]; notAfter: string; daysLeft: number };
  }
}

export {};
