/** Panel page (data): the backups table with live progress, read from `/v1/backups`. */
import type { PanelPageDefinition } from '@hostplane/sdk';

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
        empty: 'No backups yet: back a website up with POST /v1/backups (websiteId).',
      },
    ],
  },
];
