/**
 * `@hostplane/testing`: the testing kit for Hostplane plugins. `startTestHost()` boots the real
 * kernel and HTTP host with your plugin on a throwaway PostgreSQL database; the host it returns
 * also makes real users, reads the audit log, records events, moves a controllable clock that
 * fires cron schedules, and drains the job queue.
 *
 * @packageDocumentation
 */
export { startTestHost, testAuthPlugin, type TestHost, type TestHostOptions } from './start-test-host.js';
export type { TestPlugin, TestResponse } from '@hostplane/sdk/testing';
export type { TestUser, TestUsers, TestUserTree, NewTestUser } from './test-users.js';
export type { TestClock, ScheduleFiring } from './test-clock.js';
export type { EventRecorder, RecordedEvent } from './event-recorder.js';
export type { DrainResult, DrainedJob, DrainOptions } from './drain-jobs.js';
export type { AuditFilter, AuditRecord } from '@hostplane/core';
export type { ContractTest } from './contracts/contract-test.js';
export { paymentGatewayContract, type PaymentGatewayHarness } from './contracts/payment-gateway.js';
export { dnsProviderContract, contractZone, sortSets, type DnsProviderContractOptions } from './contracts/dns-provider.js';
export {
  databaseServerContract,
  type ContractRunner,
  type DatabaseLogin,
  type DatabaseServerContractOptions,
} from './contracts/database-server.js';
