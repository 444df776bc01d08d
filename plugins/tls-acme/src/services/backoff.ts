/** When to try a failed order again: doubling from the base, at most a day, never before the CA's Retry-After. */
export function nextAttemptAt(attempts: number, baseSeconds: number, now: Date, retryAfter: Date | null = null): Date {
  const seconds = Math.min(86_400, baseSeconds * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
  const ours = now.getTime() + seconds * 1000;
  return new Date(retryAfter ? Math.max(ours, retryAfter.getTime()) : ours);
}
