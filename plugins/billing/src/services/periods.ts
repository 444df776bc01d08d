/** Billing periods on calendar dates (`YYYY-MM-DD`, no time zone). */
export type Cycle = 'monthly' | 'quarterly' | 'yearly';

const MONTHS: Record<Cycle, number> = { monthly: 1, quarterly: 3, yearly: 12 };

/**
 * `date` plus one `cycle`, the day clamped to the target month's last (Jan 31 + 1 month =
 * Feb 28/29). The result is the next period's start and this period's end (exclusive).
 */
export function addCycle(date: string, cycle: Cycle): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = y * 12 + (m - 1) + MONTHS[cycle];
  const year = Math.floor(months / 12);
  const month = (months % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** `date` plus `days`. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Today (UTC) from a clock reading. */
export function dateOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** True for a real calendar date `YYYY-MM-DD`. */
export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}
