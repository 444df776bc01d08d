/** Error codes of the backups plugin. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const BackupsErrors = {
  notFound: defineError('BACKUPS_ERR_NOT_FOUND', 404, (id: string) => `No backup ${id}`),
  restoreNotFound: defineError('BACKUPS_ERR_RESTORE_NOT_FOUND', 404, (id: string) => `No restore ${id}`),
  websiteNotFound: defineError(
    'BACKUPS_ERR_WEBSITE_NOT_FOUND',
    404,
    (id: string, _field = '/body/websiteId') => `No website ${id}`,
    (_id: string, field = '/body/websiteId') => ({ field }),
  ),
  notInPackage: defineError('BACKUPS_ERR_NOT_IN_PACKAGE', 403, 'The package of this website does not include backups'),
  storageFull: defineError(
    'BACKUPS_ERR_STORAGE_FULL',
    409,
    (used: number, limit: number) =>
      `The package's backup storage is used up (${used} MB of ${limit} MB): delete old backups or upgrade the package`,
    (used: number, limit: number) => ({ resource: 'backup_storage_mb', used, limit }),
  ),
  notRestorable: defineError(
    'BACKUPS_ERR_NOT_RESTORABLE',
    409,
    (status: string) => `A backup that is ${status} cannot be restored`,
    (status: string) => ({ status }),
  ),
  notCancellable: defineError(
    'BACKUPS_ERR_NOT_CANCELLABLE',
    409,
    (status: string) => `A backup that is ${status} cannot be cancelled`,
    (status: string) => ({ status }),
  ),
  snapshotGone: defineError(
    'BACKUPS_ERR_SNAPSHOT_GONE',
    410,
    'The snapshot of this backup no longer exists in the repository (pruned by retention or removed)',
  ),
  pathInvalid: defineError(
    'BACKUPS_ERR_PATH_INVALID',
    400,
    (reason: string) => `The path is not inside the site: ${reason}`,
    () => ({ field: '/body/path' }),
  ),
  pathNotInSnapshot: defineError(
    'BACKUPS_ERR_PATH_NOT_IN_SNAPSHOT',
    404,
    (path: string) => `${JSON.stringify(path)} is not in this backup`,
    () => ({ field: '/body/path' }),
  ),
  otherOwner: defineError(
    'BACKUPS_ERR_OTHER_OWNER',
    403,
    'A backup is restored only into a website of the customer it belongs to',
    () => ({ field: '/body/targetWebsiteId' }),
  ),
  noFiles: defineError(
    'BACKUPS_ERR_NO_FILES',
    409,
    (reason: string) => `The website's files cannot be reached: ${reason}`,
    (reason: string) => ({ reason }),
  ),
  restic: defineError(
    'BACKUPS_ERR_RESTIC',
    502,
    (command: string, reason: string) => `restic ${command} failed: ${reason}`,
    (command: string, reason: string) => ({ command, reason }),
  ),
  targetInvalid: defineError('BACKUPS_ERR_TARGET_INVALID', 409, (reason: string) => `The backup target is not usable: ${reason}`),
  targetSettings: defineError(
    'BACKUPS_ERR_TARGET_SETTINGS',
    400,
    (reason: string, _field: string) => `The target's settings are not usable: ${reason}`,
    (_reason: string, field: string) => ({ field }),
  ),
  targetNotFound: defineError('BACKUPS_ERR_TARGET_NOT_FOUND', 404, (id: string) => `No backup target of reseller ${id}`),
  hostKeyRefused: defineError(
    'BACKUPS_ERR_TARGET_HOST_KEY',
    502,
    (location: string) =>
      `The SFTP server of ${location} did not show the pinned host key, so nothing was sent: check that it is the right server, or set its new host key in the target if it really changed`,
    (location: string) => ({ location }),
  ),
  interrupted: defineError('BACKUPS_ERR_INTERRUPTED', 503, (reason: string) => `The run was interrupted: ${reason}`),
  databaseServerMissing: defineError(
    'BACKUPS_ERR_DATABASE_SERVER_MISSING',
    503,
    (server: string, name: string) => `The database ${name} is on the ${server} server, which is not enabled`,
    (server: string, name: string) => ({ server, name }),
  ),
  databaseNotInBackup: defineError(
    'BACKUPS_ERR_DATABASE_NOT_IN_BACKUP',
    404,
    (id: string) => `The database ${id} is not in this backup`,
    () => ({ field: '/body/databaseId' }),
  ),
  databaseGone: defineError(
    'BACKUPS_ERR_DATABASE_GONE',
    409,
    (name: string) => `The database ${name} no longer exists: create it again, then restore into it`,
    () => ({ field: '/body/databaseId' }),
  ),
  databaseNotRestorable: defineError(
    'BACKUPS_ERR_DATABASE_NOT_RESTORABLE',
    409,
    (name: string, server: string) => `The ${server} server cannot load the dump of ${name} (not enabled, or another format)`,
    () => ({ field: '/body/databaseId' }),
  ),
  restoreTargetConflict: defineError(
    'BACKUPS_ERR_RESTORE_CONFLICT',
    400,
    'A database is restored alone: leave out path and targetWebsiteId',
    () => ({ field: '/body/databaseId' }),
  ),
  customerNotFound: defineError(
    'BACKUPS_ERR_CUSTOMER_NOT_FOUND',
    404,
    (id: string) => `No customer ${id}`,
    () => ({ field: '/body/customerId' }),
  ),
  nothingToBackUp: defineError('BACKUPS_ERR_NOTHING_TO_BACK_UP', 409, 'The customer has no website to back up', () => ({
    field: '/body/customerId',
  })),
  createConflict: defineError(
    'BACKUPS_ERR_CREATE_CONFLICT',
    400,
    'Name exactly one of websiteId (one site) and customerId (all the customer’s sites)',
    () => ({ field: '/body' }),
  ),
  unsafeTarget: defineError(
    'BACKUPS_ERR_UNSAFE_TARGET',
    409,
    (path: string) => `${JSON.stringify(path)} in the website passes through a symbolic link; remove it and restore again`,
  ),
};
