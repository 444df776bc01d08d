/**
 * Starting something slow from a plugin's `start` (a daemon it runs, a server it connects to)
 * without holding up the host: the host answers `/health` at once, the plugin reports `degraded`
 * with the reason until the start succeeds, and tries again while it does not (a package
 * installed later, a port freed, a database back). Callers of the plugin's driver wait for the
 * start in progress themselves.
 */
import type { Logger } from './logger.js';

/** What one attempt found. */
export interface StartAttempt {
  ready: boolean;
  /** Why not, when not ready (shown as the plugin's health). */
  reason?: string | null;
}

/** Options of {@link startInBackground}. */
export interface BackgroundStartOptions {
  /** One attempt: start or adopt, connect, check. A throw counts as not ready, with its message. */
  attempt(): Promise<StartAttempt>;
  /**
   * Checks that take milliseconds (a binary missing). When one finds a problem, the first attempt
   * (which then fails as fast) runs before `startInBackground` resolves, so the host reports the
   * plugin degraded, with the attempt's reason, before it listens.
   */
  preflight?(): Promise<string | null> | string | null;
  /** While not ready, try again this often. Default 30 s. */
  retryMs?: number;
  /** What is started, for the log line of an attempt that throws (e.g. `mariadbd`). */
  what: string;
}

/** A start going on in the background. */
export interface BackgroundStart {
  /** Stop retrying and wait for an attempt in flight (call it first thing in the plugin's `stop`). */
  stop(): Promise<void>;
}

/** The parts of a runtime context {@link startInBackground} uses (`start`'s `ctx` fits). */
export interface BackgroundStartContext {
  reportHealth(state: 'ok' | 'degraded', reason?: string): void;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * Run `options.attempt` in the background, reporting health after each attempt and retrying
 * while not ready. Resolves once the preflight is done (at once without one).
 *
 * @example
 * ```ts
 * async start(ctx) {
 *   started = await startInBackground(ctx, { what: 'mariadbd', attempt: async () => driver.start() });
 * },
 * async stop() {
 *   await started?.stop();
 * },
 * ```
 */
export async function startInBackground(ctx: BackgroundStartContext, options: BackgroundStartOptions): Promise<BackgroundStart> {
  const retryMs = options.retryMs ?? 30_000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const over = (): boolean => stopped || ctx.signal.aborted;

  const run = async (): Promise<void> => {
    let result: StartAttempt;
    try {
      result = await options.attempt();
    } catch (error) {
      ctx.logger.error({ err: error }, `${options.what} did not start`);
      result = { ready: false, reason: error instanceof Error ? error.message : String(error) };
    }
    if (over()) return;
    ctx.reportHealth(
      result.ready ? 'ok' : 'degraded',
      result.ready ? undefined : (result.reason ?? `${options.what} is not ready`),
    );
    if (!result.ready) retry();
  };
  const retry = (): void => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!over()) inFlight = run();
    }, retryMs);
    (timer as { unref?: () => void }).unref?.();
  };

  const problem = options.preflight ? await options.preflight() : null;
  inFlight = run();
  if (problem !== null) await inFlight;
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
    },
  };
}
