/** Error codes of the cron-jobs plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const CronErrors = {
  notFound: defineError('CRON_ERR_NOT_FOUND', 404, (id: string) => `No cron job ${id}`),
  websiteNotFound: defineError('CRON_ERR_WEBSITE_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  invalidSchedule: defineError(
    'CRON_ERR_INVALID_SCHEDULE',
    400,
    (reason: string) => `The schedule is not valid: ${reason}`,
    () => ({ field: '/body/schedule' }),
  ),
  invalidCommand: defineError(
    'CRON_ERR_INVALID_COMMAND',
    400,
    (reason: string) => `The command is not valid: ${reason}`,
    () => ({ field: '/body/command' }),
  ),
  timeoutTooLong: defineError(
    'CRON_ERR_TIMEOUT_TOO_LONG',
    400,
    (max: number) => `The time limit may be at most ${max} seconds`,
    () => ({ field: '/body/timeoutSeconds' }),
  ),
  siteNotActive: defineError('CRON_ERR_SITE_NOT_ACTIVE', 409, 'The website is suspended: its cron jobs do not run'),
};
