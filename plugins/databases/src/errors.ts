/** Error codes of the databases plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const DatabasesErrors = {
  notFound: defineError('DATABASES_ERR_NOT_FOUND', 404, (id: string) => `No database ${id}`),
  userNotFound: defineError('DATABASES_ERR_USER_NOT_FOUND', 404, (id: string) => `No database user ${id}`),
  nameInvalid: defineError(
    'DATABASES_ERR_NAME_INVALID',
    400,
    (field: string, message: string) => message,
    (field: string, message: string) => ({ field, reason: message }),
  ),
  nameTaken: defineError(
    'DATABASES_ERR_NAME_TAKEN',
    409,
    (name: string) => `${name} already exists`,
    (name: string) => ({ name }),
  ),
  noServer: defineError(
    'DATABASES_ERR_NO_SERVER',
    400,
    (asked: string | null, available: string[]) =>
      available.length === 0
        ? 'No database server is enabled on this platform'
        : `No database server ${asked}; choose one of ${available.join(', ')}`,
    (_asked: string | null, available: string[]) => ({ field: '/body/server', available }),
  ),
  subscriptionInvalid: defineError(
    'DATABASES_ERR_SUBSCRIPTION_INVALID',
    400,
    (message: string) => message,
    () => ({ field: '/body/subscriptionId' }),
  ),
  confirmMismatch: defineError(
    'DATABASES_ERR_CONFIRM',
    400,
    (name: string) => `To delete ${name} and everything in it, send confirm=${name}`,
    (name: string) => ({ field: '/querystring/confirm', expected: name }),
  ),
  adminerOff: defineError(
    'DATABASES_ERR_ADMINER_UNAVAILABLE',
    409,
    (reason: string) => `Adminer is not available: ${reason}`,
    (reason: string) => ({ reason }),
  ),
  tooManyUsers: defineError(
    'DATABASES_ERR_TOO_MANY_USERS',
    409,
    (limit: number) => `A database has at most ${limit} users`,
    (limit: number) => ({ limit }),
  ),
};
