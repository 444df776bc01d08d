/**
 * `@hostplane/core`: the kernel. No HTTP and no business features live here.
 *
 * @packageDocumentation
 */
export * from './kernel.js';
export * from './kernel-api.js';
export * from './errors.js';
export * from './logger.js';
export * from './rbac.js';
export { EventBus } from './events/event-bus.js';
export { hostSdkDir, linkSdkForDropIns } from './registry/sdk-link.js';
export { discoverPlugins, type DiscoveredPlugin, type DiscoveryOptions, type DiscoveryProblem } from './registry/discover.js';
export { validateManifest, ManifestSchema, PLUGIN_ID } from './registry/manifest.js';
export { SECRET_MASK } from './registry/plugin-config.js';
export { DEFAULT_PHASE_LIMITS, type PhaseLimits } from './registry/phase-limits.js';
export * from './db/index.js';
export * from './secrets/index.js';
export * from './signing/index.js';
export { IsolationErrors } from './isolation/errors.js';
export { isolationModeOf, isFirstParty } from './isolation/isolation-mode.js';
export { type IsolationMode, type IsolationOptions, type PluginConnection } from './isolation/options.js';
export { permissionFlag } from './isolation/node-flags.js';
export { lazySchemaCompilers, type LazySchemaCompilerOptions } from './isolation/child/lazy-schema-compilers.js';
export { pluginUserName, PLUGIN_ID_BAND } from './isolation/system-user.js';
export * from './services/index.js';
export { JobEngine, Scheduler, TaskPool } from './jobs/index.js';
export {
  MailDelivery,
  requeueMail,
  isTransient,
  backoffMs,
  type MailDeliveryOptions,
  type DeliveryPass,
} from './mail/delivery.js';
export { createTestDatabase, type TestDatabase } from './testing/test-database.js';
export { renderTemplate, type RenderedMail } from './mail/render-template.js';
export { resolveBrand, PLATFORM_NAME } from './mail/branding.js';
export { type MailPreview, type MailTemplateInfo } from './mail/template-catalog.js';
export { PlatformStateErrors, majorOf, clientVersionOf } from './platform-state.js';
