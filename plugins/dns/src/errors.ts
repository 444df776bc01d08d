/** Error codes of the dns plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const DnsErrors = {
  zoneNotFound: defineError('DNS_ERR_ZONE_NOT_FOUND', 404, (id: string) => `No zone ${id}`),
  recordNotFound: defineError('DNS_ERR_RECORD_NOT_FOUND', 404, (id: string) => `No record ${id}`),
  /** A package whose zone template the caller may not see or change (another reseller's reads as missing). */
  packageNotFound: defineError('DNS_ERR_PACKAGE_NOT_FOUND', 404, (id: string) => `No package ${id}`),
  /** Bad input: `field` is the JSON pointer of the offending field (`/body/ttl`). */
  invalid: defineError(
    'DNS_ERR_INVALID',
    400,
    (field: string, message: string) => message,
    (field: string, message: string) => ({ field, reason: message }),
  ),
  zoneTaken: defineError(
    'DNS_ERR_ZONE_TAKEN',
    409,
    (zone: string) => `A zone ${zone} already exists on this platform`,
    (zone: string) => ({
      field: '/body/name',
      zone,
    }),
  ),
  zoneCovered: defineError(
    'DNS_ERR_ZONE_COVERED',
    409,
    (zone: string, other: string) => `${zone} overlaps the zone ${other} of another account`,
    (zone: string, other: string) => ({ field: '/body/name', zone, overlaps: other }),
  ),
  ownerInvalid: defineError(
    'DNS_ERR_OWNER_INVALID',
    400,
    (id: string) => `No user ${id} you may give a zone to`,
    () => ({
      field: '/body/ownerId',
    }),
  ),
  tooManyRecords: defineError(
    'DNS_ERR_TOO_MANY_RECORDS',
    409,
    (max: number) => `A zone holds at most ${max} records`,
    (max: number) => ({
      max,
    }),
  ),
  deleting: defineError('DNS_ERR_ZONE_DELETING', 409, (zone: string) => `The zone ${zone} is being deleted`),
  noProvider: defineError('DNS_ERR_NO_PROVIDER', 503, 'No DNS provider plugin is enabled'),
};
