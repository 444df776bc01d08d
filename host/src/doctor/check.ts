/** What one doctor check found. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** What was checked, e.g. `port 3000` or `binary nginx`. */
  check: string;
  status: CheckStatus;
  /** What was found, and for a problem what to do about it. */
  detail: string;
}

export const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string): CheckResult => ({ check, status: 'warn', detail });
export const fail = (check: string, detail: string): CheckResult => ({ check, status: 'fail', detail });
