/** Error codes of the websites plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const WebsitesErrors = {
  notFound: defineError('WEBSITES_ERR_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  domainInvalid: defineError(
    'WEBSITES_ERR_DOMAIN_INVALID',
    400,
    (field: string, message: string) => message,
    (field: string, message: string) => ({ field, reason: message }),
  ),
  domainTaken: defineError(
    'WEBSITES_ERR_DOMAIN_TAKEN',
    409,
    (domain: string) => `${domain} is already hosted here`,
    (domain: string) => ({ domain }),
  ),
  subscriptionInvalid: defineError(
    'WEBSITES_ERR_SUBSCRIPTION_INVALID',
    400,
    (message: string) => message,
    () => ({ field: '/body/subscriptionId' }),
  ),
  phpVersionNotAllowed: defineError(
    'WEBSITES_ERR_PHP_VERSION',
    400,
    (version: string, allowed: string[]) =>
      allowed.length ? `PHP ${version} is not available; choose one of ${allowed.join(', ')}` : 'No PHP version is available',
    (version: string, allowed: string[]) => ({ field: '/body/phpVersion', allowed }),
  ),
  kindSettings: defineError(
    'WEBSITES_ERR_SETTINGS',
    400,
    (field: string, message: string) => message,
    (field: string) => ({ field }),
  ),
  transitionRefused: defineError(
    'WEBSITES_ERR_TRANSITION',
    409,
    (status: string, verb: string) => `A website that is ${status} cannot be ${verb}`,
    (status: string) => ({ status }),
  ),
  suspendedByOthers: defineError(
    'WEBSITES_ERR_SUSPENDED_BY_PROVIDER',
    403,
    (reasons: string[]) => `The website stays suspended: ${reasons.join(', ')}`,
    (reasons: string[]) => ({ reasons }),
  ),
  suspendedAbove: defineError(
    'WEBSITES_ERR_SUSPENDED_ABOVE',
    403,
    (level: string) =>
      level === 'platform'
        ? 'This website was suspended by an administrator of the platform: only an administrator can lift the suspension'
        : `This website was suspended by a ${level}: only that ${level} or someone above can lift the suspension`,
    (level: string) => ({ suspendedBy: level }),
  ),
  ownSite: defineError(
    'WEBSITES_ERR_OWN_SITE',
    403,
    (verb: string) => `You cannot ${verb} your own website; your provider does that`,
  ),
  noPorts: defineError('WEBSITES_ERR_NO_PORTS', 409, 'No free port is left for a Node.js application'),
  noFileManager: defineError('WEBSITES_ERR_NO_FILE_MANAGER', 409, 'The web server of this platform offers no file access'),
  notOnServer: defineError(
    'WEBSITES_ERR_NOT_ON_SERVER',
    409,
    'The website is not on the web server yet; try again when it is active',
  ),
  fileTooLarge: defineError(
    'WEBSITES_ERR_FILE_TOO_LARGE',
    400,
    (mb: number) => `Files up to ${mb} MB can be uploaded in this package`,
    (mb: number) => ({ field: '/body/content', limitMb: mb }),
  ),
};
