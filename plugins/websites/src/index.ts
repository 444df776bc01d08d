/**
 * websites: the website resource. Desired state lives in PostgreSQL; durable jobs make the web
 * server (any driver implementing the `webserver` extension point) match it.
 */
import { definePlugin } from '@hostplane/sdk';

export default definePlugin({
  id: 'websites',
  sdk: '^0.1.0',
  requires: { accounts: '^0.1.0' },
  permissions: ['http:routes', 'db', 'jobs', 'schedules', 'limits', 'audit', 'users', 'events:emit', 'events:subscribe'],
});
