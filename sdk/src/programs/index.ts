/**
 * `@hostplane/sdk/programs`: running the tools a driver depends on (dump and load programs,
 * archivers) with their input and output as streams. Node-only, and kept out of the SDK's main
 * entry, which the panel's browser code imports for types and constants.
 *
 * @packageDocumentation
 */
export { catchEarly, streamProgram, type StreamRun } from './stream-program.js';
export { ACCOUNTS_LOCK_FILE, retryWhileLocked, withAccountsLock, type ToolResult } from './accounts-lock.js';
