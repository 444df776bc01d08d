/**
 * A clock a test moves by hand. The kernel reads time from it (`coreServices.clock`), and moving
 * it fires the cron schedules whose ticks fall in the time passed over, through the scheduler's
 * own `tick()` (the same transaction and job key as a real firing). The test host runs the
 * scheduler in `manual` mode, so no schedule fires by wall time behind the test's back.
 */
import type { ClockService } from '@hostplane/sdk';

/** What one schedule tick did when the clock passed it. */
export interface ScheduleFiring {
  /** `<plugin-id>:<name>`. */
  schedule: string;
  /** The tick (whole second). */
  tick: Date;
  /** False when this tick had already fired (moving back and forth over it fires it once). */
  enqueued: boolean;
  /** The job enqueued, when `enqueued`. */
  jobId?: string;
}

/** The scheduler as the clock needs it (the kernel's `Scheduler`). */
export interface TickSource {
  names(): string[];
  firingsBetween(name: string, from: Date, to: Date, limit?: number): Date[];
  tick(name: string, at: Date): Promise<{ enqueued: boolean; jobId?: string; tick: Date }>;
}

/** The test host's clock. */
export interface TestClock extends ClockService {
  /** The current time: frozen when the host was started with `clock`, else wall time plus what was advanced. */
  now(): Date;
  /**
   * Move forward by `ms` and fire, oldest first, every schedule tick in the time passed over
   * (since the last move, or since the host started). During each firing `now()` is the tick.
   * Resolves with what fired; the jobs run on the workers (see `drainJobs`).
   */
  advance(ms: number): Promise<ScheduleFiring[]>;
  /** Move forward to `to` (never back: RangeError), firing ticks as {@link TestClock.advance} does. */
  set(to: Date | string): Promise<ScheduleFiring[]>;
}

/** More firings than this for one schedule in one move is almost surely a mistake in the test. */
const MAX_FIRINGS_PER_MOVE = 1000;

/**
 * A test clock. With `start`, time stands still at `start` until moved; without, it follows the
 * wall clock (so code comparing timestamps with real ones keeps working) plus what was advanced.
 * `scheduler` is given once the kernel exists (the kernel needs the clock first).
 */
export function createTestClock(start?: Date): TestClock & { attach(scheduler: TickSource): void } {
  const frozen = start !== undefined;
  let base = start ? start.getTime() : 0;
  let offset = 0;
  const current = (): number => (frozen ? base : Date.now() + offset);
  let firedUntil = current();
  let scheduler: TickSource | undefined;
  let moving = false;

  const moveTo = async (target: number): Promise<ScheduleFiring[]> => {
    if (!Number.isFinite(target)) throw new RangeError('the test clock needs a valid time');
    const from = current();
    if (target < from) throw new RangeError(`the test clock only moves forward (now ${new Date(from).toISOString()})`);
    if (moving) throw new Error('the test clock is already moving: await the previous advance() or set()');
    moving = true;
    try {
      const pending: Array<{ schedule: string; tick: Date }> = [];
      for (const name of scheduler?.names() ?? []) {
        const ticks = scheduler!.firingsBetween(name, new Date(firedUntil), new Date(target), MAX_FIRINGS_PER_MOVE + 1);
        if (ticks.length > MAX_FIRINGS_PER_MOVE) {
          throw new RangeError(
            `schedule "${name}" would fire more than ${MAX_FIRINGS_PER_MOVE} times: move the clock in smaller steps`,
          );
        }
        for (const tick of ticks) pending.push({ schedule: name, tick });
      }
      pending.sort((a, b) => a.tick.getTime() - b.tick.getTime() || a.schedule.localeCompare(b.schedule));
      const fired: ScheduleFiring[] = [];
      for (const { schedule, tick } of pending) {
        setTo(tick.getTime());
        const result = await scheduler!.tick(schedule, tick);
        fired.push(
          result.jobId
            ? { schedule, tick, enqueued: result.enqueued, jobId: result.jobId }
            : { schedule, tick, enqueued: result.enqueued },
        );
      }
      setTo(target);
      firedUntil = target;
      return fired;
    } finally {
      moving = false;
    }
  };
  const setTo = (ms: number): void => {
    if (frozen) base = ms;
    else offset = ms - Date.now();
  };

  return {
    now: () => new Date(current()),
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError('advance() takes a number of milliseconds ≥ 0'));
      return moveTo(current() + ms);
    },
    set(to) {
      return moveTo(new Date(to).getTime());
    },
    attach(source) {
      scheduler = source;
      firedUntil = current();
    },
  };
}
