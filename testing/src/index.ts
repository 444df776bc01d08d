/**
 * `@hostplane/testing`: the testing kit for Hostplane plugins. `startTestHost()` boots the real
 * kernel and HTTP host with your plugin on a throwaway PostgreSQL database; the host it returns
 * also makes real users, reads the audit log, records events, moves a controllable clock that
 * fires cron schedules, and drains the job queue.
 *
 * @packageDocumentation
 */
export { startTestHost, testAuthPlugin } from './start-test-host.js';
