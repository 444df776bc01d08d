/**
 * `@hostplane/host`: boots the kernel behind the Fastify API, and the `hostplane` CLI.
 *
 * @packageDocumentation
 */
export { loadConfig, type HostConfig } from './config.js';
export { openKernel } from './boot.js';
export { seedDemo } from './seed.js';
export { createHost } from './server/create-host.js';
export { runCli } from './cli/run.js';
