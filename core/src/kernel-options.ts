/** What {@link Kernel.boot} is given. */
import type { ClockService, Logger, PluginManifest } from '@hostplane/sdk';
import type { DatabaseHandle } from './db/index.js';
import type { DiscoveryOptions } from './registry/discover.js';
import type { AnyPlugin } from './registry/load-definition.js';
import type { PhaseLimits } from './registry/phase-limits.js';
import type { SecretKeySource } from './secrets/keyring.js';
import type { SigningPolicy } from './signing/assess.js';
import type { IsolationOptions } from './isolation/options.js';
import type { MailDeliveryOptions } from './mail/delivery.js';

/** A plugin handed over as an object (tests, `startTestHost`). */
export interface InlinePlugin {
  definition: AnyPlugin;
  version?: string;
  manifest?: Partial<Pick<PluginManifest, 'displayName' | 'description' | 'permissions' | 'provides' | 'requires'>>;
}

/** Options of {@link Kernel.boot}. */
export interface KernelOptions {
  /** The database (the kernel closes it on stop). */
  database: DatabaseHandle;
  logger?: Logger;
  discovery?: DiscoveryOptions;
  inlinePlugins?: InlinePlugin[];
  /** Enable these at boot (stored, as an admin would). */
  enable?: string[];
  /** Config to store for plugins at boot, by id. */
  config?: Record<string, Record<string, unknown>>;
  /**
   * `run` (default) starts enabled plugins, workers and the change listener. `admin` (the CLI)
   * starts nothing: enable/disable/config only validate, store and announce, and the running
   * hosts apply the change.
   */
  mode?: 'run' | 'admin';
  /** Run job workers and cron schedules in this process (default true). */
  runWorkers?: boolean;
  jobConcurrency?: number;
  /** Worker-pool threads (default: cores). */
  taskThreads?: number;
  /** Follow plugin changes made by other processes (default true). */
  listen?: boolean;
  clock?: ClockService;
  /**
   * `manual`: cron schedules never fire by wall time, only through `scheduler.tick()` (a test
   * clock that moves time itself, `@hostplane/testing`). Default `cron`.
   */
  schedules?: 'cron' | 'manual';
  /**
   * Milliseconds each phase of plugin code may take (defaults: migrate 5 min, setup 10 s,
   * start 30 s, stop 30 s, one event handler 10 s). Past it the plugin is failed with the phase
   * (a handler's call is abandoned) and the kernel goes on.
   */
  phaseLimits?: Partial<PhaseLimits>;
  /**
   * Where the key that encrypts secrets at rest comes from. The host passes its data directory
   * and `HOSTPLANE_SECRET_KEY`; without it the kernel uses a key held in memory by this process
   * (tests), which never survives it.
   */
  secrets?: SecretKeySource;
  /**
   * Check plugin signatures: packages that are not signed by a trusted key (or allowed by id)
   * are refused. The host always sets it; without it (tests) nothing is checked.
   */
  signing?: SigningPolicy;
  /**
   * How third-party plugins run in their own process (data folder, memory cap, watchdog,
   * database connection seam); see docs/decisions on process isolation.
   */
  isolation?: IsolationOptions;
  /**
   * Deliver the outbox over SMTP (`HOSTPLANE_SMTP_URL`), in processes that run workers. Without
   * it mails stay in the outbox, readable by admins (the development transport).
   */
  mail?: MailDeliveryOptions;
  /**
   * `HOSTPLANE_PG_DUMP`: the pg_dump that dumps the platform's database for platform backups.
   * Without it: Debian's `/usr/lib/postgresql/<server major>/bin/pg_dump`, else `/usr/bin/pg_dump`.
   */
  pgDump?: string;
}
