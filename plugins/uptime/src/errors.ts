/** Error codes of the uptime plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const UptimeErrors = {
  notFound: defineError('UPTIME_ERR_NOT_FOUND', 404, (id: string) => `No uptime check ${id}`),
  websiteNotFound: defineError(
    'UPTIME_ERR_WEBSITE_NOT_FOUND',
    404,
    (id: string) => `No website ${id}`,
    () => ({ field: '/body/websiteId' }),
  ),
  intervalTooShort: defineError(
    'UPTIME_ERR_INTERVAL_TOO_SHORT',
    400,
    (minimum: number) => `Checks run at most every ${minimum} minutes on this server`,
    () => ({ field: '/body/intervalMinutes' }),
  ),
  invalidPath: defineError(
    'UPTIME_ERR_INVALID_PATH',
    400,
    (reason: string) => `The path is not valid: ${reason}`,
    () => ({ field: '/body/path' }),
  ),
  tooMany: defineError(
    'UPTIME_ERR_TOO_MANY_CHECKS',
    409,
    (max: number) => `A website has at most ${max} uptime checks on this server`,
  ),
  tooSoon: defineError('UPTIME_ERR_TOO_SOON', 409, 'This address was checked seconds ago: try again in a few seconds'),
  duplicate: defineError('UPTIME_ERR_DUPLICATE', 409, 'This website already has a check of that address'),
};
