/** Admin API for plugins: list, inspect, enable, disable, read and change config. */
import { CommonErrors } from '@hostplane/sdk';
import type { KernelApi } from '@hostplane/core';
import type { HostApp } from '../types.js';
import {
  DisableImpactSchema,
  DisableQuery,
  PluginConfigBody,
  PluginConfigSchema,
  PluginIdParams,
  PluginStatusSchema,
  errorResponses,
  listOf,
} from './schemas.js';

const tags = ['plugins'];

/** Register the plugin routes on a scope prefixed `/v1`. */
export function registerPluginAdminRoutes(app: HostApp, kernel: KernelApi): void {
  app.get(
    '/plugins',
    {
      config: { permission: 'platform.plugins.read' },
      schema: { tags, summary: 'List plugins', response: { 200: listOf(PluginStatusSchema), ...errorResponses() } },
    },
    async () => ({ items: kernel.plugins() }),
  );

  app.get(
    '/plugins/:id',
    {
      config: { permission: 'platform.plugins.read' },
      schema: {
        tags,
        summary: 'One plugin',
        params: PluginIdParams,
        response: { 200: PluginStatusSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const plugin = kernel.plugin(request.params.id);
      if (!plugin) throw CommonErrors.notFound(`plugin "${request.params.id}"`);
      return plugin;
    },
  );

  app.post(
    '/plugins/:id/enable',
    {
      config: { permission: 'platform.plugins.manage', audit: 'platform.plugin.enabled' },
      schema: {
        tags,
        summary: 'Enable a plugin (install, migrate, start)',
        description:
          'Refused with 403 KERNEL_ERR_PLUGIN_UNSIGNED, KERNEL_ERR_PLUGIN_SIGNATURE_INVALID or ' +
          'KERNEL_ERR_PLUGIN_SIGNER_UNTRUSTED unless its package is signed by a trusted key or the admin allowed its ' +
          'id (command line), and with 403 KERNEL_ERR_PLUGIN_FIRST_PARTY_ID for a first-party id not signed by the ' +
          'first-party key.',
        params: PluginIdParams,
        response: { 200: PluginStatusSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => kernel.enable(request.params.id),
  );

  app.get(
    '/plugins/:id/disable-impact',
    {
      config: { permission: 'platform.plugins.read' },
      schema: {
        tags,
        summary: 'What disabling a plugin would take with it',
        description:
          'The enabled plugins that stop with it, whether it signs people in (their sessions end), and whether ' +
          'it is the last plugin that does (then disabling it is refused here; the command line can, with --force).',
        params: PluginIdParams,
        response: { 200: DisableImpactSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => kernel.disableImpact(request.params.id),
  );

  app.post(
    '/plugins/:id/disable',
    {
      config: { permission: 'platform.plugins.manage', audit: 'platform.plugin.disabled' },
      schema: {
        tags,
        summary: 'Stop and disable a plugin',
        description:
          'Refused with 409 KERNEL_ERR_DEPENDENTS_ENABLED (`details.dependents`) while enabled plugins require it, ' +
          'unless `cascade=true` (they are disabled first: see GET …/disable-impact), and always with 409 ' +
          'KERNEL_ERR_LAST_SIGN_IN_PROVIDER for the last plugin that signs people in.',
        params: PluginIdParams,
        querystring: DisableQuery,
        response: { 200: PluginStatusSchema, ...errorResponses(400, 404, 409) },
      },
    },
    // Never `force` from the API: a disabled last sign-in provider would lock the caller out too.
    async (request) => kernel.disable(request.params.id, { cascade: request.query.cascade === true }),
  );

  app.get(
    '/plugins/:id/config',
    {
      // Readers may see it: secrets are masked by the kernel.
      config: { permission: 'platform.plugins.read' },
      schema: {
        tags,
        summary: "A plugin's config, secrets masked",
        params: PluginIdParams,
        response: { 200: PluginConfigSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => ({ config: await kernel.getConfig(request.params.id) }),
  );

  app.put(
    '/plugins/:id/config',
    {
      // Audited below with the keys that changed (a form sends them all), not by the generic hook.
      config: { permission: 'platform.plugins.manage' },
      schema: {
        tags,
        summary: "Replace a plugin's config (validated, then the plugin restarts)",
        description: 'Audited as `platform.plugin.configured` with `details.changed`: the keys whose values changed.',
        params: PluginIdParams,
        body: PluginConfigBody,
        response: { 200: PluginConfigSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const id = request.params.id;
      const before = await kernel.getConfig(id, { revealSecrets: true });
      await kernel.setConfig(id, request.body.config);
      const after = await kernel.getConfig(id, { revealSecrets: true });
      // Key names only: a secret's value never reaches the log.
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
        (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
      );
      if (changed.length > 0) {
        await kernel.recordAudit({
          action: 'platform.plugin.configured',
          actorId: request.actor?.userId ?? null,
          target: { type: 'plugin', id },
          ip: request.ip,
          requestId: request.id,
          details: { changed },
        });
      }
      // Read back through getConfig so the answer is masked whatever setConfig returns.
      return { config: await kernel.getConfig(request.params.id) };
    },
  );
}
