/**
 * The budget of failed authentications per address. The rate limiter runs after
 * authentication (it needs `request.actor` to give signed-in users their own budget), so a
 * request whose credentials fail never reaches it, yet each one costs authenticators a lookup.
 * So a request that carries credentials takes a slot of its address's budget *before* any
 * authenticator runs and gives it back when they prove valid: only failures stay counted,
 * requests arriving together cannot slip past the limit, and past it the answer is 429 with
 * no lookup at all.
 *
 * Same limit and window as the host's rate limit; in memory per generation, like its counters.
 */
import { normalizeIP } from '@fastify/rate-limit';
import type { RateLimitSettings } from './rate-limit.js';

interface Bucket {
  count: number;
  resetAt: number;
}

// Addresses remembered at most; the oldest bucket makes room (an LRU like the limiter's).
const CAPACITY = 10_000;

const UNIT_MS: Record<string, number> = { ms: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A rate-limit window in ms: a number already is one; strings read like `'1 minute'` or `'30 seconds'`. */
export function windowMsOf(timeWindow: string | number): number {
  if (typeof timeWindow === 'number') return timeWindow;
  const match = /^\s*(\d+)\s*(ms|seconds?|minutes?|hours?|days?)\s*$/i.exec(timeWindow);
  if (!match) throw new TypeError(`unreadable rate-limit window "${timeWindow}" (say e.g. "1 minute")`);
  return Number(match[1]) * UNIT_MS[match[2]!.toLowerCase().replace(/s$/, '')]!;
}

export type FailureSlot = { taken: true; key: string } | { taken: false; retryAfterSeconds: number };

export class AuthFailureBudget {
  private readonly buckets = new Map<string, Bucket>();
  readonly max: number;
  private readonly windowMs: number;

  constructor(
    settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.max = settings.max;
    this.windowMs = windowMsOf(settings.timeWindow);
  }

  /** Take a slot for this address, or learn how long it must wait. */
  take(ip: string): FailureSlot {
    const key = normalizeIP(ip);
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) bucket = { count: 0, resetAt: now + this.windowMs };
    if (bucket.count >= this.max) return { taken: false, retryAfterSeconds: Math.ceil((bucket.resetAt - now) / 1000) };
    bucket.count += 1;
    // Re-inserted, so the Map's order is the order of last use.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > CAPACITY) this.buckets.delete(this.buckets.keys().next().value!);
    return { taken: true, key };
  }

  /** The credentials were valid: the slot was not a failure. */
  giveBack(slot: FailureSlot): void {
    if (!slot.taken) return;
    const bucket = this.buckets.get(slot.key);
    if (bucket && bucket.count > 0) bucket.count -= 1;
  }
}
