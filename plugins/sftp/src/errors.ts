/** Error codes of the sftp plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const SftpErrors = {
  notFound: defineError('SFTP_ERR_NOT_FOUND', 404, (id: string) => `No SFTP account ${id}`),
  websiteNotFound: defineError('SFTP_ERR_WEBSITE_NOT_FOUND', 404, (id: string) => `No website ${id}`),
  loginTaken: defineError(
    'SFTP_ERR_LOGIN_TAKEN',
    409,
    (login: string) => `The login ${login} is taken; choose another name`,
    (login: string) => ({ field: '/body/name', login }),
  ),
  tooMany: defineError(
    'SFTP_ERR_TOO_MANY',
    409,
    (limit: number) => `This website already has ${limit} SFTP accounts, the most a site may have`,
    (limit: number) => ({ limit }),
  ),
  invalidKey: defineError(
    'SFTP_ERR_INVALID_KEY',
    400,
    (index: number, reason: string) => `SSH key ${index + 1} is not usable: ${reason}`,
    (index: number) => ({ field: `/body/publicKeys/${index}` }),
  ),
  weakPassword: defineError(
    'SFTP_ERR_WEAK_PASSWORD',
    400,
    (reason: string) => `The password is not accepted: ${reason}`,
    () => ({ field: '/body/password' }),
  ),
  noCredentials: defineError(
    'SFTP_ERR_NO_CREDENTIALS',
    400,
    'An account needs a password or at least one SSH key (or ask for a generated password)',
  ),
  nameTooLong: defineError(
    'SFTP_ERR_NAME_TOO_LONG',
    400,
    (max: number) => `With this website's name the account name may have at most ${max} characters`,
    () => ({ field: '/body/name' }),
  ),
  noSiteFiles: defineError(
    'SFTP_ERR_NO_SITE_FILES',
    409,
    (reason: string) => `The website has no files on this server yet: ${reason}`,
  ),
  unsafeChroot: defineError(
    'SFTP_ERR_UNSAFE_CHROOT',
    409,
    (reason: string) => `SFTP cannot be confined to the site's folder: ${reason}`,
  ),
  system: defineError('SFTP_ERR_SYSTEM', 503, (reason: string) => `The SFTP account could not be set up: ${reason}`),
};
