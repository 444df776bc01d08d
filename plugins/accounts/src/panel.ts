/** Panel pages: data the panel renders, one per resource. */
import type { PanelPageDefinition } from '@hostplane/sdk';
import { NewUserBody } from './user-routes.js';

export const PAGES: PanelPageDefinition[] = [
  {
    id: 'packages',
    title: 'Packages',
    nav: { label: 'Packages', section: 'main', order: 30 },
    permission: 'accounts.package.read',
    sections: [
      {
        kind: 'table',
        source: '/packages',
        columns: [
          { field: 'name', label: 'Name' },
          { field: 'prices.monthly', label: 'Monthly', format: 'money' },
          { field: 'limits.websites', label: 'Websites' },
          { field: 'limits.disk_mb', label: 'Disk (MB)' },
          { field: 'visibility', label: 'Visibility', format: 'status' },
        ],
        empty: 'No packages yet: an administrator creates them (or run `hostplane accounts seed`).',
      },
    ],
  },
  {
    id: 'subscriptions',
    title: 'Subscriptions',
    nav: { label: 'Subscriptions', section: 'main', order: 31 },
    permission: 'accounts.subscription.read',
    sections: [
      {
        kind: 'table',
        source: '/subscriptions',
        columns: [
          { field: 'packageName', label: 'Package' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'billingCycle', label: 'Billing' },
          { field: 'nextDueDate', label: 'Next due', format: 'date' },
        ],
        empty: 'No subscriptions yet.',
      },
    ],
  },
  {
    id: 'users',
    title: 'Users',
    nav: { label: 'Users', section: 'main', order: 32 },
    permission: 'accounts.user.read',
    sections: [
      {
        kind: 'table',
        source: '/users',
        columns: [
          { field: 'email', label: 'Email' },
          { field: 'name', label: 'Name' },
          { field: 'role', label: 'Role' },
          { field: 'status', label: 'Status', format: 'status' },
          { field: 'createdAt', label: 'Created', format: 'date' },
        ],
        empty: 'Nobody below you yet: add a user with the form below.',
      },
      { kind: 'form', title: 'New user', schema: NewUserBody, submit: { method: 'POST', route: '/users', label: 'Create' } },
    ],
  },
];
