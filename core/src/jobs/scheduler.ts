/**
 * Cron schedules that enqueue jobs, run in every host process (DESIGN.md, "Jobs, schedules,
 * tasks"). Each process fires each tick; one transaction per firing inserts
 * `(schedule, tick)` into `hostplane.schedule_ticks` and enqueues the job only if that insert
 * won, so N processes run each tick once. A job key alone would not do: a late process would
 * re-add a job that already finished and was deleted.
 */
import type { ClockService, Logger } from '@hostplane/sdk';
import type { Knex } from 'knex';
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { JobErrors, ScheduleErrors } from './errors.js';
import type { JobEngine } from './job-engine.js';
import { isQualifiedName } from './names.js';

/** One schedule: every firing of `cron` enqueues `job` with `payload`. */
export interface ScheduleSpec {
  /** `<plugin-id>:<name>`. */
  name: string;
  /** node-cron expression (5 fields, or 6 with seconds first). */
  cron: string;
  /** Job to enqueue, `<plugin-id>:<verb-noun>`. */
  job: string;
  payload?: unknown;
  /** IANA time zone the expression is read in. Default UTC. */
  timezone?: string;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  knex: Knex;
  /** Where jobs go; only `enqueue` is used. */
  engine: Pick<JobEngine, 'enqueue'>;
  logger: Logger;
  /** Time for pruning old ticks; default the system clock. */
  clock?: ClockService;
  /**
   * `manual`: cron never fires by wall time; ticks come only from {@link Scheduler.tick}, e.g.
   * from a test clock that moves time itself (`@hostplane/testing`). Default `cron`.
   */
  mode?: 'cron' | 'manual';
}

/** What one firing did. */
export interface TickResult {
  /** False when another process (or an earlier call) already fired this tick. */
  enqueued: boolean;
  /** The job enqueued, when `enqueued`. */
  jobId?: string;
  /** The tick, truncated to the whole second. */
  tick: Date;
}

/** Ticks are kept this long (they only need to outlive the firing window of every process). */
const KEEP_TICKS_MS = 7 * 24 * 3600 * 1000;
/** At most one prune per process per this interval. */
const PRUNE_EVERY_MS = 3600 * 1000;

const systemClock: ClockService = { now: () => new Date() };

interface Active {
  spec: ScheduleSpec;
  task: ScheduledTask;
}

/** The process's cron schedules. */
export class Scheduler {
  readonly #knex: Knex;
  readonly #engine: Pick<JobEngine, 'enqueue'>;
  readonly #logger: Logger;
  readonly #clock: ClockService;
  #active = new Map<string, Active>();
  /** Firings and prunes in flight; stop() waits for them (they use the database). */
  readonly #inFlight = new Set<Promise<unknown>>();
  #lastPrune = Number.NEGATIVE_INFINITY;
  #stopped = false;
  readonly #manual: boolean;

  constructor(options: SchedulerOptions) {
    this.#knex = options.knex;
    this.#engine = options.engine;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#manual = options.mode === 'manual';
  }

  /**
   * Replace every schedule with `defs`. All are checked first (SCHEDULES_ERR_INVALID_CRON names
   * the schedule at fault); on any error the current schedules stay as they were.
   */
  setSchedules(defs: readonly ScheduleSpec[]): void {
    if (this.#stopped) throw ScheduleErrors.stopped();
    const checked = this.validate(defs);
    for (const { task } of this.#active.values()) void task.destroy();
    this.#active = new Map();
    for (const [name, spec] of checked) {
      const task = cron.createTask(spec.cron, (context) => this.#fireFromCron(name, context.date), {
        name,
        timezone: spec.timezone,
        logger: this.#cronLogger(name),
        // The host's server keeps the process alive; a forgotten schedule must not.
        unref: true,
      });
      // A task never started still answers match() for firingsBetween().
      if (!this.#manual) void task.start();
      this.#active.set(name, { spec, task });
    }
    this.#logger.debug({ schedules: [...checked.keys()] }, 'schedules set');
  }

  /**
   * Check `defs` without applying them; returns them with time zones filled in. Throws the
   * SCHEDULES_ERR_* error of the first bad one.
   */
  validate(defs: readonly ScheduleSpec[]): Map<string, ScheduleSpec> {
    const checked = new Map<string, ScheduleSpec>();
    for (const def of defs) {
      if (!isQualifiedName(def.name)) throw ScheduleErrors.invalidName(def.name);
      if (checked.has(def.name)) throw ScheduleErrors.duplicate(def.name);
      if (!isQualifiedName(def.job)) throw JobErrors.invalidName(def.job);
      const validation = typeof def.cron === 'string' ? cron.validateDetailed(def.cron) : undefined;
      if (!validation?.valid) {
        const problems = validation?.errors.map((e) => `${e.field}: ${e.message}`) ?? ['not a string'];
        throw ScheduleErrors.invalidCron(def.name, String(def.cron), problems);
      }
      const timezone = def.timezone ?? 'UTC';
      if (!isTimeZone(timezone)) throw ScheduleErrors.invalidTimezone(def.name, timezone);
      checked.set(def.name, { ...def, timezone });
    }
    return checked;
  }

  /** Names of the current schedules. */
  names(): string[] {
    return [...this.#active.keys()];
  }

  /** The current schedule `name` (time zone filled in), or undefined. */
  spec(name: string): ScheduleSpec | undefined {
    return this.#active.get(name)?.spec;
  }

  /**
   * The times schedule `name` fires in `(from, to]`, oldest first, by its cron expression and
   * time zone, at most `limit` (default 1000; a later firing is left out). Checks each whole
   * second (each whole minute for a 5-field expression), so a span of days costs milliseconds.
   */
  firingsBetween(name: string, from: Date, to: Date, limit = 1000): Date[] {
    const active = this.#active.get(name);
    if (!active) throw ScheduleErrors.unknown(name);
    const withSeconds = active.spec.cron.trim().split(/\s+/).length === 6;
    const step = withSeconds ? 1000 : 60_000;
    const out: Date[] = [];
    // First whole step strictly after `from`.
    let at = (Math.floor(from.getTime() / step) + 1) * step;
    for (; at <= to.getTime() && out.length < limit; at += step) {
      const date = new Date(at);
      if (active.task.match(date)) out.push(date);
    }
    return out;
  }

  /**
   * Fire schedule `name` for the firing time `at` (truncated to the second), as its cron does.
   * Exactly one call per `(name, tick)` across all processes enqueues the job.
   */
  async tick(name: string, at: Date): Promise<TickResult> {
    const active = this.#active.get(name);
    if (!active) throw ScheduleErrors.unknown(name);
    const tick = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const tickIso = tick.toISOString();
    const spec = active.spec;
    return this.#knex.transaction(async (trx) => {
      const won = await trx.raw<{ rows: unknown[] }>(
        `insert into hostplane.schedule_ticks (schedule, tick) values (?, ?::timestamptz)
         on conflict do nothing returning schedule`,
        [name, tickIso],
      );
      if (won.rows.length === 0) return { enqueued: false, tick };
      // Same transaction: if the enqueue fails, the tick is not taken and another process may fire it.
      const { id } = await this.#engine.enqueue(spec.job, spec.payload ?? {}, { trx, jobKey: `${name}@${tickIso}` });
      await trx.raw('update hostplane.schedule_ticks set job_id = ?::bigint where schedule = ? and tick = ?::timestamptz', [
        id,
        name,
        tickIso,
      ]);
      return { enqueued: true, jobId: id, tick };
    });
  }

  /** Delete ticks older than 7 days (by the clock); returns how many. Done hourly by the scheduler itself. */
  async prune(): Promise<number> {
    const before = new Date(this.#clock.now().getTime() - KEEP_TICKS_MS);
    const result = await this.#knex.raw<{ rowCount: number | null }>(
      'delete from hostplane.schedule_ticks where tick < ?::timestamptz',
      [before.toISOString()],
    );
    return result.rowCount ?? 0;
  }

  /** Stop every schedule; resolves when firings in flight are done. Call before the database closes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { task } of this.#active.values()) void task.destroy();
    this.#active = new Map();
    while (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
  }

  #fireFromCron(name: string, date: Date): Promise<void> {
    const firing = this.tick(name, date).then(
      (result) => {
        if (result.enqueued) this.#logger.debug({ schedule: name, tick: result.tick, jobId: result.jobId }, 'schedule fired');
      },
      (err: unknown) => this.#logger.error({ err, schedule: name, tick: date }, 'schedule could not enqueue its job'),
    );
    this.#track(firing);
    const now = this.#clock.now().getTime();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      this.#track(
        this.prune().then(
          (count) => count > 0 && this.#logger.debug({ count }, 'pruned old schedule ticks'),
          (err: unknown) => this.#logger.warn({ err }, 'could not prune old schedule ticks'),
        ),
      );
    }
    // node-cron awaits this; errors were handled above so none reach its console logger.
    return firing;
  }

  #track(promise: Promise<unknown>): void {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
  }

  /** node-cron's own messages (e.g. missed executions) into our log instead of the console. */
  #cronLogger(schedule: string): CronLogger {
    const log = this.#logger.child({ schedule });
    return {
      info: (message) => log.debug(message),
      warn: (message) => log.warn(message),
      error: (message, err) => log.error({ err: err ?? message }, String(message)),
      debug: (message, err) => log.debug({ err }, String(message)),
    };
  }
}

/**
 * The first `Intl.DateTimeFormat` with a time zone loads ICU's zone data (tens of milliseconds,
 * on every boot's path): UTC, what nearly every schedule uses, needs no check.
 */
function isTimeZone(timezone: string): boolean {
  if (timezone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
