/**
 * Cron schedules as crontab(5) writes them: five fields (minute hour day-of-month month
 * day-of-week) with `*`, numbers, ranges, lists, steps and names (`jan`, `mon`), or one of
 * `@hourly @daily @midnight @weekly @monthly @yearly @annually`; all in UTC. When both day
 * fields are restricted, a day matching either counts (as in Vixie cron). A schedule that never
 * fires (`0 0 30 2 *`) is refused rather than stored.
 */

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Offset of names[0] (1 for months). */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too.
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

export interface Schedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Was the day-of-month / day-of-week field `*`? (decides AND vs OR) */
  anyDay: boolean;
  anyWeekday: boolean;
}

export class ScheduleError extends Error {}

function value(text: string, spec: FieldSpec): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  if (!/^[0-9]{1,2}$/.test(text))
    throw new ScheduleError(`${spec.name}: "${text}" is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) throw new ScheduleError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

function field(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '')
      throw new ScheduleError(`${spec.name}: "${part}" is not valid`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^[0-9]{1,2}$/.test(stepText) || Number(stepText) === 0)
        throw new ScheduleError(`${spec.name}: step "${stepText}" is not valid`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined || !a || !b) throw new ScheduleError(`${spec.name}: "${range}" is not a range`);
      from = value(a, spec);
      to = value(b, spec);
      if (from > to) throw new ScheduleError(`${spec.name}: ${range} runs backwards`);
    } else {
      from = value(range, spec);
      to = stepText === undefined ? from : spec.max;
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

/** Parse a schedule; throws {@link ScheduleError} saying which field is wrong. */
export function parseSchedule(input: string): Schedule {
  if (typeof input !== 'string' || input.length > 200) throw new ScheduleError('a schedule is at most 200 characters');
  const text = MACROS[input.trim().toLowerCase()] ?? input.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    throw new ScheduleError('a schedule has five fields: minute hour day-of-month month day-of-week (e.g. "*/15 * * * *")');
  const sets = parts.map((p, i) => field(p, FIELDS[i]!));
  const weekdays = sets[4]!;
  if (weekdays.delete(7)) weekdays.add(0);
  const schedule: Schedule = {
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays,
    anyDay: parts[2] === '*',
    anyWeekday: parts[4] === '*',
  };
  if (nextRun(schedule, new Date(Date.UTC(2000, 0, 1))) === null)
    throw new ScheduleError('this schedule never runs (no such date)');
  return schedule;
}

function dayMatches(s: Schedule, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.anyDay && s.anyWeekday) return true;
  if (s.anyDay) return dow;
  if (s.anyWeekday) return dom;
  return dom || dow;
}

/** The first minute strictly after `after` the schedule fires, or null within eight years. */
export function nextRun(s: Schedule, after: Date): Date | null {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Eight years covers every leap-day schedule (29 February on a Monday, say).
  const limit = after.getTime() + 8 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      continue;
    }
    return t;
  }
  return null;
}
