/** Cron schedules: what parses, what is refused, and when each fires next (UTC). */
import t from 'tap';
import { nextRun, parseSchedule, ScheduleError } from '../src/schedule.js';

const next = (schedule: string, after: string) => nextRun(parseSchedule(schedule), new Date(after))?.toISOString();

t.test('next run times', async (t) => {
  t.equal(next('* * * * *', '2026-12-05T08:00:30Z'), '2026-12-05T08:01:00.000Z', 'strictly after, on the minute');
  t.equal(next('*/15 * * * *', '2026-12-05T08:01:00Z'), '2026-12-05T08:15:00.000Z');
  t.equal(next('0 3 * * *', '2026-12-05T08:00:00Z'), '2026-12-06T03:00:00.000Z');
  t.equal(next('30 9 * * mon-fri', '2026-12-05T10:00:00Z'), '2026-12-07T09:30:00.000Z', 'Saturday → Monday');
  t.equal(next('0 0 1 jan *', '2026-12-05T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  t.equal(next('@hourly', '2026-12-05T08:59:59Z'), '2026-12-05T09:00:00.000Z');
  t.equal(next('0 0 * * 7', '2026-12-05T00:00:00Z'), '2026-12-06T00:00:00.000Z', '7 is Sunday');
  t.equal(next('0 0 29 2 *', '2026-03-01T00:00:00Z'), '2028-02-29T00:00:00.000Z', 'leap day');
  // Both day fields restricted: either matches (the 13th, or a Friday).
  t.equal(next('0 0 13 * fri', '2026-12-05T00:00:00Z'), '2026-12-11T00:00:00.000Z');
  t.equal(next('5-10/5 1 * * *', '2026-12-05T01:06:00Z'), '2026-12-05T01:10:00.000Z');
});

t.test('refused schedules say why', async (t) => {
  for (const [bad, why] of [
    ['* * * *', /five fields/],
    ['60 * * * *', /minute: 60 is outside 0-59/],
    ['* 24 * * *', /hour/],
    ['*/0 * * * *', /step/],
    ['5-1 * * * *', /backwards/],
    ['0 0 30 2 *', /never runs/],
    ['0 0 * foo *', /month/],
    ['@reboot', /five fields/],
    ['x'.repeat(201), /200 characters/],
    ['1,,2 * * * *', /not valid/],
  ] as const) {
    let caught: unknown;
    try {
      parseSchedule(bad);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ScheduleError, bad.slice(0, 20));
    t.match((caught as Error).message, why);
  }
});
