/**
 * The real stack a cron-jobs test runs on (plugins/websites/test/site-stack.ts) with cron-jobs,
 * and a package whose `cron_jobs` limit the test picks.
 */
import type { Test } from 'tap';
import cronJobs from '../src/index.js';
import { systemMissing } from '../../webserver-nginx/test/helpers.js';
import { startSiteStack } from '../../websites/test/site-stack.js';

export { systemMissing as stackMissing };

export function startStack(t: Test, options: { cronLimit?: number | null; cron?: Record<string, unknown> } = {}) {
  return startSiteStack(t, {
    label: 'Cron',
    plugins: [cronJobs],
    limits: { cron_jobs: options.cronLimit === undefined ? 100 : options.cronLimit },
    config: (): Record<string, Record<string, unknown>> => (options.cron ? { 'cron-jobs': options.cron } : {}),
  });
}
