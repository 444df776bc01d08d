/** The HTTP gateway: `createHost` and what its callers and tests need beside it. */
export { createHost, type Host, type HostOptions } from './create-host.js';
export type { ListenOptions } from './front-server.js';
export type { HostLoggerOption } from './logger.js';
export type { RateLimitSettings } from './rate-limit.js';
export type { RateLimitStoreKind } from './rate-limit-counters.js';
export type { HostApp } from './types.js';
export type { ErrorBody } from './error-body.js';
export { accessRuleOf, isExemptPath, type AccessRule } from './route-guard.js';
export { REQUEST_ID_HEADER } from './request-id.js';
export * as HostErrors from './errors.js';
