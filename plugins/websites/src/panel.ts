/** Panel page (data): the websites table; the panel's own websites screens build on the same API. */
import type { PanelPageDefinition } from '@hostplane/sdk';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'websites',
    title: 'Websites',
    nav: { label: 'Websites', section: 'main', order: 20 },
    permission: 'websites.site.read',
    sections: [
      {
        kind: 'table',
        source: '/websites',
        columns: [
          { field: 'domainDisplay', label: 'Domain' },
          { field: 'kind', label: 'Type' },
          { field: 'phpVersion', label: 'PHP' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'previewUrl', label: 'Preview', format: 'link' },
        ],
        empty: 'No websites yet: create one with POST /v1/websites (domain and type).',
      },
    ],
  },
];
