/**
 * Panel pages (data): the zones table with a form to add a zone, and one zone's record editor
 * (records listed, added and deleted; a record's TTL or data is changed through the API; the
 * zone reset to its package's template).
 */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';
import { RECORD_TYPES } from './records.js';

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
          { field: 'name', label: 'Zone', link: '/p/dns/zone?zone={id}' },
          { field: 'serial', label: 'Serial' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'dnssec.enabled', label: 'DNSSEC' },
          { field: 'updatedAt', label: 'Changed', format: 'date' },
        ],
        actions: [
          {
            label: 'Delete',
            method: 'DELETE',
            route: '/dns/zones/{id}',
            confirm: 'Delete the zone {name} and all its records? The server stops answering for it.',
            danger: true,
          },
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
  {
    id: 'zone',
    title: 'DNS zone',
    titleFrom: { source: '/dns/zones/{zone}', field: 'name' },
    params: ['zone'],
    permission: 'dns.zone.read',
    sections: [
      {
        kind: 'detail',
        source: '/dns/zones/{zone}',
        fields: [
          { field: 'name', label: 'Zone' },
          { field: 'serial', label: 'Serial' },
          { field: 'status', label: 'Status', format: 'status' },
        ],
        actions: [
          {
            label: 'Reset to the template',
            method: 'POST',
            route: '/dns/zones/{id}/reset',
            permission: 'dns.zone.write',
            confirm:
              "Replace every record of {name} with what your package's DNS template gives it now? Records you added or changed are gone.",
            danger: true,
          },
        ],
      },
      {
        kind: 'table',
        title: 'Records',
        source: '/dns/zones/{zone}/records',
        columns: [
          { field: 'name', label: 'Name' },
          { field: 'type', label: 'Type' },
          { field: 'ttl', label: 'TTL' },
          { field: 'data', label: 'Data' },
        ],
        actions: [
          {
            label: 'Delete',
            method: 'DELETE',
            route: '/dns/zones/{zone}/records/{id}',
            confirm: 'Delete the {type} record of {name} ({data})?',
            danger: true,
          },
        ],
        empty: 'No records yet: add the first one below.',
      },
      {
        kind: 'form',
        title: 'Add a record',
        schema: Type.Object(
          {
            name: Type.String({
              title: 'Name',
              minLength: 1,
              maxLength: 300,
              default: '@',
              description: '@ for the domain itself, www for www.<domain>, or a full name ending in a dot',
            }),
            type: Type.Union(
              RECORD_TYPES.map((t) => Type.Literal(t)),
              { title: 'Type' },
            ),
            ttl: Type.Optional(Type.Integer({ title: 'TTL (seconds)', minimum: 0, description: 'Empty: the zone default' })),
            data: Type.String({
              title: 'Data',
              minLength: 1,
              maxLength: 5000,
              description: 'An address, a host name, "10 mail.example.com." for MX, text for TXT',
            }),
          },
          { additionalProperties: false },
        ),
        submit: { method: 'POST', route: '/dns/zones/{zone}/records', label: 'Add record' },
      },
    ],
  },
];
