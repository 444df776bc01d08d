/**
 * Panel pages (data): the backups table with live progress, read from `/v1/backups`; a website
 * backed up on demand, a whole site restored or a running backup cancelled from its row; and for
 * administrators the platform's own backups, listed and started on demand.
 */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'backups',
    title: 'Backups',
    nav: { label: 'Backups', section: 'main', order: 30 },
    permission: 'backups.backup.read',
    sections: [
      {
        kind: 'table',
        source: '/backups',
        columns: [
          { field: 'siteName', label: 'Website' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'progress.percent', label: 'Progress (%)' },
          { field: 'sizeBytes', label: 'Size', format: 'bytes' },
          { field: 'addedBytes', label: 'Added', format: 'bytes' },
          { field: 'createdAt', label: 'Started', format: 'date' },
        ],
        actions: [
          {
            label: 'Restore',
            method: 'POST',
            route: '/backups/{id}/restore',
            confirm: 'Restore {siteName} from this backup? Its files are replaced by the backup’s.',
            danger: true,
          },
          { label: 'Cancel', method: 'POST', route: '/backups/{id}/cancel' },
        ],
        empty: 'No backups yet: back a website up below.',
      },
      {
        kind: 'form',
        title: 'Back up now',
        schema: Type.Object({ websiteId: Type.String({ title: 'Website', minLength: 1 }) }, { additionalProperties: false }),
        choices: { websiteId: { source: '/websites', value: 'id', label: 'domainDisplay' } },
        submit: { method: 'POST', route: '/backups', label: 'Back up now' },
      },
    ],
  },
  {
    id: 'targets',
    title: 'Backup storage',
    nav: { label: 'Backup storage', section: 'admin', order: 61 },
    permission: 'backups.target.read',
    sections: [
      {
        kind: 'text',
        text:
          'Where backups go: the local folder, an S3-compatible bucket or an SFTP server, set in the Backups plugin’s settings ' +
          '(target, s3, sftp). The active one is opened with its key each time this page loads. For SFTP, pin the server’s host ' +
          'key (ssh-keyscan) and add the public key below to the server’s authorized_keys, or upload a private key of your own.',
      },
      {
        kind: 'table',
        source: '/backups/targets',
        columns: [
          { field: 'kind', label: 'Target' },
          { field: 'active', label: 'In use' },
          { field: 'location', label: 'Repository' },
          { field: 'reachable', label: 'Opens' },
          { field: 'snapshots', label: 'Snapshots' },
          { field: 'error', label: 'Error' },
          { field: 'publicKey', label: 'SSH public key' },
        ],
        empty: 'No target.',
      },
    ],
  },
  {
    id: 'platform',
    title: 'Platform backups',
    nav: { label: 'Platform backups', section: 'admin', order: 60 },
    permission: 'backups.platform.manage',
    sections: [
      {
        kind: 'text',
        text:
          'The platform itself: its database (pg_dump) and secret key, in the backups repository, nightly and on demand. ' +
          'A lost server is rebuilt from them with the drill in the operations guide; keep the repository password ' +
          '(hostplane backups key-export) outside this server. Secret key "file": in the backup; "env": keep it yourself.',
      },
      {
        kind: 'table',
        source: '/backups/platform',
        columns: [
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'trigger', label: 'Trigger' },
          { field: 'keyOrigin', label: 'Secret key' },
          { field: 'sizeBytes', label: 'Size', format: 'bytes' },
          { field: 'error', label: 'Error' },
          { field: 'createdAt', label: 'Started', format: 'date' },
        ],
        empty: 'No platform backup yet.',
      },
      {
        kind: 'form',
        title: 'Back up now',
        schema: Type.Object({}, { additionalProperties: false }),
        submit: { method: 'POST', route: '/backups/platform', label: 'Back the platform up now' },
      },
    ],
  },
];
