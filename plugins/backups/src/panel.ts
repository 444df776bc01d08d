/**
 * Panel pages (data): the backups table with live progress, read from `/v1/backups`; a website
 * backed up on demand, a whole site restored or a running backup cancelled from its row; for a
 * reseller its own backup storage, shown, set (SFTP or S3) and dropped; and for administrators
 * the platform's own backups, listed and started on demand.
 */
import { Type, type PanelColumn, type PanelPageDefinition } from '@hostplane/sdk';
import { S3Body, SftpBody } from './target-routes.js';

/** What a storage target shows once opened with its key: the platform's (admins) or a reseller's own. */
const OPENED: PanelColumn[] = [
  { field: 'location', label: 'Repository' },
  { field: 'reachable', label: 'Opens' },
  { field: 'snapshots', label: 'Snapshots' },
  { field: 'error', label: 'Error' },
];

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
          { field: 'siteName', label: 'Website', link: '/p/backups/backup/{id}' },
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
            permission: 'backups.backup.restore',
            when: [{ field: 'status', in: ['succeeded'] }],
            confirm: 'Restore {siteName} from this backup? Its files are replaced by the backup’s.',
            danger: true,
          },
          {
            label: 'Cancel',
            method: 'POST',
            route: '/backups/{id}/cancel',
            permission: 'backups.backup.write',
            when: [{ field: 'status', in: ['queued', 'running'] }],
          },
        ],
        // Progress moves while a backup runs: the page follows it (a Refresh link without JavaScript).
        live: [{ field: 'status', in: ['queued', 'running'] }],
        empty: 'No backups yet: back a website up below.',
      },
      {
        kind: 'form',
        title: 'Back up now',
        permission: 'backups.backup.write',
        schema: Type.Object({ websiteId: Type.String({ title: 'Website', minLength: 1 }) }, { additionalProperties: false }),
        choices: { websiteId: { source: '/websites', value: 'id', label: 'domainDisplay' } },
        submit: { method: 'POST', route: '/backups', label: 'Back up now' },
      },
    ],
  },
  {
    // One backup, reached from the table: its figures, and one file or folder restored from it.
    id: 'backup',
    title: 'Backup',
    titleFrom: { source: '/backups/{id}', field: 'siteName' },
    pathParam: 'id',
    permission: 'backups.backup.read',
    sections: [
      {
        kind: 'detail',
        title: 'Backup',
        source: '/backups/{id}',
        fields: [
          { field: 'siteName', label: 'Website' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'progress.percent', label: 'Progress (%)' },
          { field: 'sizeBytes', label: 'Size', format: 'bytes' },
          { field: 'addedBytes', label: 'Added', format: 'bytes' },
          { field: 'files', label: 'Files' },
          { field: 'durationMs', label: 'Duration (ms)' },
          { field: 'createdAt', label: 'Started', format: 'date' },
          { field: 'finishedAt', label: 'Finished', format: 'date' },
          { field: 'error', label: 'Error' },
        ],
        actions: [
          {
            label: 'Restore the whole site',
            method: 'POST',
            route: '/backups/{id}/restore',
            permission: 'backups.backup.restore',
            when: [{ field: 'status', in: ['succeeded'] }],
            confirm: 'Restore {siteName} from this backup? Its files are replaced by the backup’s.',
            danger: true,
          },
          {
            label: 'Cancel',
            method: 'POST',
            route: '/backups/{id}/cancel',
            permission: 'backups.backup.write',
            when: [{ field: 'status', in: ['queued', 'running'] }],
          },
        ],
      },
      {
        kind: 'form',
        title: 'Restore one file or folder',
        permission: 'backups.backup.restore',
        about: '/backups/{id}',
        when: [{ field: 'status', in: ['succeeded'] }],
        schema: Type.Object(
          {
            path: Type.String({
              title: 'File or folder',
              minLength: 1,
              maxLength: 4096,
              description: 'Relative to the website’s folder, e.g. public/index.html; it is put back as it was in this backup',
            }),
          },
          { additionalProperties: false },
        ),
        submit: { method: 'POST', route: '/backups/{id}/restore', label: 'Restore' },
        result: {
          title: 'Restore started',
          fields: [
            { field: 'path', label: 'File or folder' },
            { field: 'status', label: 'Status' },
          ],
        },
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
          ...OPENED,
          { field: 'publicKey', label: 'SSH public key' },
        ],
        empty: 'No target.',
      },
    ],
  },
  {
    // A reseller's own storage (decision 0077), through /v1/backups/reseller-targets/{me}.
    id: 'storage',
    title: 'Backup storage',
    nav: { label: 'Backup storage', section: 'main', order: 31 },
    roles: ['reseller'],
    permission: 'backups.target.own',
    sections: [
      {
        kind: 'text',
        text:
          'Where the backups of your customers’ websites go. With no storage of your own they go to the platform’s. ' +
          'Set an S3-compatible bucket or an SFTP server of yours and new backups go there; earlier ones stay restorable ' +
          'where they were made. It is opened with its key each time this page loads. Keys and passwords are stored sealed ' +
          'and never shown again.',
      },
      {
        kind: 'detail',
        title: 'Your storage',
        source: '/backups/reseller-targets/{me}',
        empty: 'None of your own: your customers’ backups go to the platform’s storage.',
        fields: [
          { field: 'kind', label: 'Kind' },
          ...OPENED,
          { field: 'publicKey', label: 'SSH public key (add it to the server’s authorized_keys)' },
          { field: 'updatedAt', label: 'Set', format: 'date' },
        ],
        actions: [
          {
            label: 'Stop using it',
            method: 'DELETE',
            route: '/backups/reseller-targets/{me}',
            confirm:
              'Stop using this storage? New backups go to the platform’s; those made there stay restorable while it is reachable.',
            danger: true,
          },
        ],
      },
      {
        kind: 'form',
        title: 'Use an SFTP server',
        values: '/backups/reseller-targets/{me}',
        schema: Type.Object(
          {
            kind: Type.Literal('sftp'),
            sftp: SftpBody,
          },
          { additionalProperties: false },
        ),
        submit: { method: 'PUT', route: '/backups/reseller-targets/{me}', label: 'Use this SFTP server' },
      },
      {
        kind: 'form',
        title: 'Use an S3-compatible bucket',
        values: '/backups/reseller-targets/{me}',
        schema: Type.Object(
          {
            kind: Type.Literal('s3'),
            s3: S3Body,
          },
          { additionalProperties: false },
        ),
        submit: { method: 'PUT', route: '/backups/reseller-targets/{me}', label: 'Use this bucket' },
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
