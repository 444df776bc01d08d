/**
 * Time limits on plugin code. A plugin whose `start` never resolves must not hold up the host:
 * each phase runs against a deadline; past it the caller moves on (the plugin is marked failed
 * with the phase, or the handler's delivery is abandoned) and whatever the plugin's promise
 * does later is ignored.
 */
import { KernelErrors } from '../errors.js';

/** Milliseconds each phase of plugin code may take. */
export interface PhaseLimits {
  /** Running the plugin's pending migrations (all of them, together). */
  migrate: number;
  /** `setup(ctx)`: registering only, so short. */
  setup: number;
  start: number;
  stop: number;
  /** One event handler or before-hook call. */
  handler: number;
}

/** Defaults: migrations may move real data; setup and handlers should be quick. */
export const DEFAULT_PHASE_LIMITS: Readonly<PhaseLimits> = {
  migrate: 5 * 60_000,
  setup: 10_000,
  start: 30_000,
  stop: 30_000,
  handler: 10_000,
};

/** The defaults with `given` applied; throws on a limit that is not a positive whole number of ms. */
export function phaseLimits(given: Partial<PhaseLimits> = {}): PhaseLimits {
  const limits = { ...DEFAULT_PHASE_LIMITS, ...given };
  for (const [phase, ms] of Object.entries(limits)) {
    if (!Number.isInteger(ms) || ms < 1 || ms > 2 ** 31 - 1) {
      throw new TypeError(`phase limit "${phase}" must be a whole number of milliseconds from 1, got ${String(ms)}`);
    }
  }
  return limits;
}

/**
 * Wait for `work` at most `ms`; past that, reject with KERNEL_ERR_PHASE_TIMEOUT (after calling
 * `onTimeout`, which may cancel what can be cancelled). A late settlement of `work` is ignored,
 * a late rejection included (it must not surface as an unhandled rejection).
 */
export function withinLimit<T>(
  work: T | PromiseLike<T>,
  ms: number,
  owner: { plugin: string; phase: string },
  onTimeout?: () => void,
): Promise<T> {
  const pending = Promise.resolve(work);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(KernelErrors.phaseTimeout(owner.plugin, owner.phase, ms));
    }, ms);
  });
  pending.catch(() => undefined);
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}

/** True for the error {@link withinLimit} rejects with. */
export function isPhaseTimeout(error: unknown): error is Error {
  return error instanceof Error && (error as { code?: unknown }).code === 'KERNEL_ERR_PHASE_TIMEOUT';
}
