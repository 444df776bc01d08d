/** The panel's Traffic page: the caller's traffic by day as a chart, and each website's figures. */
import type { PanelPageDefinition } from '@hostplane/sdk';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'traffic',
    title: 'Traffic and usage',
    nav: { label: 'Traffic', section: 'main', order: 35 },
    roles: ['reseller', 'customer', 'technical_user'],
    permission: 'metering.stats.read',
    sections: [
      {
        kind: 'chart',
        title: 'Requests per day (last 30 days)',
        source: '/metering/traffic?days=30',
        x: 'at',
        series: [
          { field: 'requests', label: 'Requests' },
          { field: 'status4xx', label: '4xx' },
          { field: 'status5xx', label: '5xx' },
        ],
      },
      {
        kind: 'chart',
        title: 'Bytes sent per day (last 30 days)',
        source: '/metering/traffic?days=30',
        x: 'at',
        format: 'bytes',
        series: [{ field: 'bytesOut', label: 'Sent' }],
      },
      {
        kind: 'table',
        title: 'Websites (last 30 days)',
        source: '/metering/sites?days=30',
        columns: [
          { field: 'domain', label: 'Website' },
          { field: 'requests', label: 'Requests' },
          { field: 'bytesOut', label: 'Sent', format: 'bytes' },
          { field: 'errors5xx', label: 'Server errors' },
          { field: 'diskBytes', label: 'Disk', format: 'bytes' },
        ],
        empty: 'No website has traffic yet. Figures appear within minutes of the first visits.',
      },
      {
        kind: 'text',
        text: 'The access and error logs of a website are at /v1/websites/<id>/logs (searchable with ?q=); its statistics at /v1/websites/<id>/stats.',
      },
    ],
  },
];
