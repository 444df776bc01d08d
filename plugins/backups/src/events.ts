/** The events this plugin adds to the typed map, by declaration merging. */
declare module '@hostplane/sdk' {
  interface HostplaneEvents {
    /** A backup finished: its snapshot is in the repository. */
    'backup.completed': { backupId: string; websiteId: string; ownerId: string; snapshotId: string; sizeBytes: number };
    /** A backup failed (after its last attempt); no snapshot of it is listed. */
    'backup.failed': { backupId: string; websiteId: string; ownerId: string; error: string };
    /** A restore finished: the files are back in the website, or the database (`databaseId`) is as backed up. */
    'backup.restored': {
      restoreId: string;
      backupId: string;
      websiteId: string;
      path: string | null;
      databaseId: string | null;
    };
    /** A scheduled backup was not started: the package's backup storage is used up (once per site and window). */
    'backup.skipped': {
      websiteId: string;
      ownerId: string;
      subscriptionId: string;
      reason: 'storage_full';
      usedMb: number;
      limitMb: number;
    };
    /** A platform backup finished: its database dump and state files are in the repository. */
    'backup.platform.completed': {
      platformBackupId: string;
      databaseSnapshotId: string;
      filesSnapshotId: string;
      sizeBytes: number;
    };
    /** A platform backup failed after its last attempt (pg_dump missing or too old, repository unreachable …). */
    'backup.platform.failed': { platformBackupId: string; error: string };
    /** `restic check` found the repository damaged, or could not run. */
    'backup.repository.check-failed': { repository: string; error: string };
  }
}

export {};
