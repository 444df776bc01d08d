/**
 * `@hostplane/sdk`: the only package a Hostplane plugin imports at runtime.
 *
 * @packageDocumentation
 */
// Kept in step with package.json by a test (importing it would put the file outside rootDir).

/** Version of this SDK; plugins state the range they accept in `sdk`. */
export const SDK_VERSION = '0.1.0';

export * from './errors.js';
export * from './error-response.js';
export * from './events.js';
export * from './extension-points.js';
export * from './http.js';
export * from './jobs.js';
export * from './logger.js';
export * from './panel.js';
export * from './plugin.js';
export * from './service-ref.js';
export * from './services.js';
export * from './users.js';
export * from './limits.js';
export * from './platform-state.js';
export * from './mail-templates.js';
export * from './webserver.js';
export * from './site-certificates.js';
export * from './background-start.js';
export * from './payment-gateway.js';
export * from './dns-provider.js';
export * from './dns-challenges.js';
export * from './database-server.js';
export * from './disk-usage.js';
export type { Static, TObject, TSchema } from '@sinclair/typebox';
