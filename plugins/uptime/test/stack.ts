/**
 * The real stack an uptime test runs on (plugins/websites/test/site-stack.ts) with the uptime
 * plugin, whose checks connect to that stack's nginx with each site's domain as Host.
 */
import type { Test } from 'tap';
import uptime from '../src/index.js';
import { systemMissing } from '../../webserver-nginx/test/helpers.js';
import { startSiteStack } from '../../websites/test/site-stack.js';

export { systemMissing as stackMissing };

export function startStack(t: Test, options: { uptime?: Record<string, unknown> } = {}) {
  return startSiteStack(t, {
    label: 'Uptime',
    plugins: [uptime],
    config: ({ port }) => ({ uptime: { connectTo: `127.0.0.1:${port}`, minimumIntervalMinutes: 1, ...options.uptime } }),
  });
}
