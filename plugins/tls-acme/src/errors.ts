/** Error codes of the tls-acme plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const TlsErrors = {
  siteNotFound: defineError('TLS_ERR_SITE_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  /** A certificate, key or chain that cannot serve the site: `field` names the part (`/body/key`). */
  invalid: defineError(
    'TLS_ERR_INVALID',
    400,
    (field: string, message: string) => message,
    (field: string, message: string) => ({ field, reason: message }),
  ),
  /** Renewing a site that is being deleted or whose order is already running. */
  busy: defineError('TLS_ERR_BUSY', 409, (reason: string) => reason),
  /** The site has no certificate yet (switches need one). */
  noCertificate: defineError(
    'TLS_ERR_NO_CERTIFICATE',
    409,
    'The website has no certificate yet: request one or upload one first',
  ),
  /**
   * A wildcard certificate needs DNS-01, answered in the site owner's zone on this platform's DNS:
   * the DNS plugin is not enabled, or no zone of the owner serves `domain` (another account's
   * zone reads the same).
   */
  wildcardRefused: defineError(
    'TLS_ERR_WILDCARD_REFUSED',
    409,
    (domain: string, reason: string) => reason,
    (domain: string) => ({ field: '/body/wildcard', domain }),
  ),
  /** The web server cannot answer HTTP-01 challenges (no driver, or one without putChallenge). */
  noChallengeServer: defineError(
    'TLS_ERR_NO_CHALLENGE_SERVER',
    503,
    'No web server plugin that answers ACME challenges is enabled',
  ),
};
