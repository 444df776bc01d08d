/**
 * Panel page (data): the customer's databases with their measured sizes and users, and a form to
 * create one. Users and their passwords (shown once) need a screen of the panel's own that can
 * show a response: until then they are made through the API or `hostplane databases create`.
 */
import { Type, type PanelPageDefinition } from '@hostplane/sdk';
import { SUFFIX_PATTERN } from './names.js';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'databases',
    title: 'Databases',
    nav: { label: 'Databases', section: 'main', order: 30 },
    permission: 'databases.database.read',
    sections: [
      {
        kind: 'table',
        source: '/databases',
        columns: [
          { field: 'name', label: 'Name' },
          { field: 'engine', label: 'Engine' },
          { field: 'sizeBytes', label: 'Size', format: 'bytes' },
          { field: 'sizeMeasuredAt', label: 'Measured', format: 'date' },
          { field: 'users', label: 'Users' },
        ],
        empty: 'No databases yet. Create one below; it is named with your prefix, e.g. joe_shop.',
      },
      {
        kind: 'form',
        title: 'New database',
        schema: Type.Object({
          name: Type.String({
            title: 'Name (after your prefix)',
            pattern: SUFFIX_PATTERN,
            minLength: 1,
            maxLength: 16,
            description: 'Lower-case letters, digits and _, up to 16',
          }),
        }),
        submit: { method: 'POST', route: '/databases', label: 'Create database' },
      },
    ],
  },
];
