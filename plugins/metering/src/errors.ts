/** Error codes of the metering plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const MeteringErrors = {
  /** The package's disk is full (measured): creating sites and uploading files is refused. */
  diskFull: defineError(
    'METERING_ERR_DISK_QUOTA_EXCEEDED',
    409,
    (usedMb: number, limitMb: number) =>
      `The package’s disk space is used up (${usedMb} MB of ${limitMb} MB): delete files or upgrade the package first`,
    (usedMb: number, limitMb: number) => ({ resource: 'disk_mb', used: usedMb, limit: limitMb }),
  ),
  websiteNotFound: defineError('METERING_ERR_WEBSITE_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  noLogs: defineError(
    'METERING_ERR_NO_LOGS',
    409,
    'The web server of this website keeps no logs Hostplane can read (its driver has no log access)',
  ),
  queryInvalid: defineError(
    'METERING_ERR_QUERY_INVALID',
    400,
    (message: string, _field?: string) => message,
    (_message: string, field = '/querystring/from') => ({ field }),
  ),
};
