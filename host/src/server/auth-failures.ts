/**
 * The budget of failed authentications per address. The rate limiter runs after
 * authentication (it needs `request.actor` to give signed-in users their own budget), so a
 * request whose credentials fail never reaches it, yet each one costs authenticators a lookup.
 * So a request that carries credentials takes a slot of its address's budget *before* any
 * authenticator runs and gives it back when they prove valid: only failures stay counted,
 * requests arriving together cannot slip past the limit, and past it the answer is 429 with
 * no lookup at all.
 *
 * Same limit and window as the host's rate limit, kept in the host's counters
 * (rate-limit-counters.ts): in memory per process, or shared by every host on the database.
 */
import { normalizeIP } from '@fastify/rate-limit';
import type { RateLimitCounters } from './rate-limit-counters.js';
import type { RateLimitSettings } from './rate-limit.js';

const UNIT_MS: Record<string, number> = { ms: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A rate-limit window in ms: a number already is one; strings read like `'1 minute'` or `'30 seconds'`. */
export function windowMsOf(timeWindow: string | number): number {
  if (typeof timeWindow === 'number') return timeWindow;
  const match = /^\s*(\d+)\s*(ms|seconds?|minutes?|hours?|days?)\s*$/i.exec(timeWindow);
  if (!match) throw new TypeError(`unreadable rate-limit window "${timeWindow}" (say e.g. "1 minute")`);
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase().replace(/s$/, '')]!;
}

export type FailureSlot = { taken: true; key: string; token: number } | { taken: false; retryAfterSeconds: number };

// Apart from the request counters' keys (`rl:`), which count every request, not failures.
const PREFIX = 'af:';

export class AuthFailureBudget {
  readonly max: number;
  private readonly windowMs: number;

  constructor(
    settings: RateLimitSettings,
    private readonly counters: RateLimitCounters,
  ) {
    this.max = settings.max;
    this.windowMs = windowMsOf(settings.timeWindow);
  }

  /** Take a slot for this address, or learn how long it must wait. */
  async take(ip: string): Promise<FailureSlot> {
    const slot = await this.counters.take(PREFIX + normalizeIP(ip), this.max, this.windowMs);
    return slot.taken ? slot : { taken: false, retryAfterSeconds: Math.max(1, Math.ceil(slot.ttlMs / 1000)) };
  }

  /** The credentials were valid: the slot was not a failure. */
  giveBack(slot: FailureSlot): void {
    if (slot.taken) this.counters.giveBack(slot);
  }
}
