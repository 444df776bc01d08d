/**
 * Panel pages (data): the customer's databases with their measured sizes (and a button that opens
 * Adminer on one, logged in), and one database's users, where a user is added or given a new
 * password (shown once) and removed.
 */
import { Type, type PanelPageDefinition, type PanelResult } from '@hostplane/sdk';
import { SUFFIX_PATTERN } from './names.js';

/** What a new or reset user's answer shows, once. */
const CREDENTIALS: PanelResult = {
  title: 'Database login',
  once: true,
  fields: [
    { field: 'user.name', label: 'User' },
    { field: 'password', label: 'Password' },
    { field: 'database', label: 'Database' },
    { field: 'endpoint.host', label: 'Host' },
    { field: 'endpoint.port', label: 'Port' },
  ],
};

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
          { field: 'name', label: 'Name', link: '/p/databases/database?database={id}' },
          { field: 'engine', label: 'Engine' },
          { field: 'sizeBytes', label: 'Size', format: 'bytes' },
          { field: 'sizeMeasuredAt', label: 'Measured', format: 'date' },
          { field: 'users', label: 'Users' },
        ],
        actions: [
          {
            // A one-time link (decision 0075): the browser goes straight to Adminer, logged in.
            label: 'Adminer',
            method: 'POST',
            route: '/databases/{id}/adminer',
            permission: 'databases.database.write',
            when: [{ field: 'engine', in: ['mariadb', 'mysql', 'postgresql'] }],
            redirect: 'url',
          },
          {
            label: 'Delete',
            method: 'DELETE',
            route: '/databases/{id}?confirm={name}',
            confirm: 'Delete the database {name} with all its tables and users? This cannot be undone.',
            danger: true,
          },
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
  {
    id: 'database',
    title: 'Database',
    titleFrom: { source: '/databases/{database}', field: 'name' },
    params: ['database'],
    permission: 'databases.database.read',
    sections: [
      {
        kind: 'table',
        title: 'Users',
        source: '/databases/{database}/users',
        columns: [
          { field: 'name', label: 'User' },
          { field: 'passwordSetAt', label: 'Password set', format: 'date' },
          { field: 'createdAt', label: 'Created', format: 'date' },
        ],
        actions: [
          {
            label: 'New password',
            method: 'POST',
            route: '/databases/{databaseId}/users/{id}/reset-password',
            confirm: 'Give {name} a new password? The old one stops working at once.',
            result: CREDENTIALS,
          },
          {
            label: 'Delete',
            method: 'DELETE',
            route: '/databases/{databaseId}/users/{id}',
            confirm: 'Delete the user {name}? Its open sessions end.',
            danger: true,
          },
        ],
        empty: 'No users yet: add one below to connect to this database.',
      },
      {
        kind: 'form',
        title: 'New user',
        schema: Type.Object({
          name: Type.Optional(
            Type.String({
              title: 'Name (after your prefix)',
              pattern: SUFFIX_PATTERN,
              maxLength: 16,
              description: 'Leave empty to name it after the database',
            }),
          ),
        }),
        submit: { method: 'POST', route: '/databases/{database}/users', label: 'Add user' },
        result: CREDENTIALS,
      },
    ],
  },
];
