/** The core admin API under `/v1`: plugins, jobs, outbox, mail templates. */
import type { KernelApi } from '@hostplane/core';
import type { HostApp } from '../types.js';
import { registerJobAdminRoutes } from './jobs.js';
import { registerMailTemplateAdminRoutes } from './mail-templates.js';
import { registerOutboxAdminRoutes } from './outbox.js';
import { registerPluginAdminRoutes } from './plugins.js';

/** Options of {@link adminRoutes}. */
export interface AdminRoutesOptions {
  kernel: KernelApi;
}

/** An encapsulated plugin; register it with `{ prefix: '/v1' }`. */
export async function adminRoutes(app: HostApp, { kernel }: AdminRoutesOptions): Promise<void> {
  registerPluginAdminRoutes(app, kernel);
  registerJobAdminRoutes(app, kernel);
  registerOutboxAdminRoutes(app, kernel);
  registerMailTemplateAdminRoutes(app, kernel);
}
