/** Error codes of plugin isolation. Callers and tests compare codes, never messages. */
import { defineError } from '@hostplane/sdk';

export const IsolationErrors = {
  /** The plugin's process is down (crashed, killed by the watchdog, restarting). */
  unavailable: defineError(
    'KERNEL_ERR_PLUGIN_UNAVAILABLE',
    503,
    (id: string, why: string) => `plugin "${id}" is not available right now: ${why}`,
    (id: string, why: string) => ({ plugin: id, reason: why }),
  ),
  /** A call into the plugin's process took longer than allowed. */
  timeout: defineError(
    'KERNEL_ERR_PLUGIN_TIMEOUT',
    503,
    (id: string, what: string, ms: number) => `plugin "${id}" did not answer ${what} within ${ms} ms`,
    (id: string, what: string, ms: number) => ({ plugin: id, call: what, limitMs: ms }),
  ),
  /** The process could not be prepared (no system user, unreadable package …). */
  spawnFailed: defineError(
    'KERNEL_ERR_ISOLATION_FAILED',
    500,
    (id: string, why: string) => `plugin "${id}" could not be started in its own process: ${why}`,
  ),
  /** The plugin's process asked for something it did not declare or that cannot cross. */
  refused: defineError(
    'KERNEL_ERR_SERVICE_NOT_DECLARED',
    403,
    (id: string, what: string) => `plugin "${id}" may not call ${what}`,
  ),
};
