/**
 * Panel page (data): the backups table with live progress, read from `/v1/backups`; a website
 * backed up on demand, a whole site restored or a running backup cancelled from its row.
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
];
