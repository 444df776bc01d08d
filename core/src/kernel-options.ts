/** What {@link Kernel.boot} is given. */
import type { ClockService, Logger, PluginManifest } from '@hostplane/sdk';
import type { DatabaseHandle } from './db/index.js';
import type { DiscoveryOptions } from './registry/discover.js';
import type { AnyPlugin } from './registry/load-definition.js';
import type { PhaseLimits } from './registry/phase-limits.js';
import type { IsolationOptions } from './isolation/options.js';

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
   * Milliseconds each phase of plugin code may take (defaults: migrate 5 min, setup 10 s,
   * start 30 s, stop 30 s, one event handler 10 s). Past it the plugin is failed with the phase
   * (a handler's call is abandoned) and the kernel goes on.
   */
  phaseLimits?: Partial<PhaseLimits>;
  /**
   * How third-party plugins run in their own process (data folder, memory cap, watchdog,
   * database connection seam); see docs/decisions on process isolation.
   */
  isolation?: IsolationOptions;
}
