/** Admin API for the mail outbox. */
import type { KernelApi } from '@hostplane/core';
import type { HostApp } from '../types.js';
import { OutboxMailSchema, OutboxQuery, errorResponses, listOf } from './schemas.js';

/** Register the outbox route on a scope prefixed `/v1`. */
export function registerOutboxAdminRoutes(app: HostApp, kernel: KernelApi): void {
  app.get(
    '/outbox',
    {
      config: { permission: 'platform.outbox.read' },
      schema: {
        tags: ['outbox'],
        summary: 'Mails in the outbox with their delivery state, newest first',
        querystring: OutboxQuery,
        response: { 200: listOf(OutboxMailSchema), ...errorResponses(400) },
      },
    },
    async (request) => ({
      items: await kernel.listOutbox({ to: request.query.to, status: request.query.status, limit: request.query.limit }),
    }),
  );
}
