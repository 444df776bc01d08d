/** Panel page (data): the zones table and a form to add a zone; record editing is through the API for now. */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'zones',
    title: 'DNS zones',
    nav: { label: 'DNS', section: 'main', order: 30 },
    permission: 'dns.zone.read',
    sections: [
      {
        kind: 'table',
        source: '/dns/zones',
        columns: [
          { field: 'name', label: 'Zone' },
          { field: 'serial', label: 'Serial' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'dnssec.enabled', label: 'DNSSEC' },
          { field: 'updatedAt', label: 'Changed', format: 'date' },
        ],
        empty: 'No zones yet: add one below, or create a website and its zone follows.',
      },
      {
        kind: 'form',
        title: 'Add a zone',
        schema: Type.Object(
          {
            name: Type.String({ title: 'Domain', minLength: 1, maxLength: 253, description: 'example.com' }),
            template: Type.Boolean({ title: 'Start from the template', default: true }),
          },
          { additionalProperties: false },
        ),
        submit: { method: 'POST', route: '/dns/zones', label: 'Add zone' },
      },
    ],
  },
];
