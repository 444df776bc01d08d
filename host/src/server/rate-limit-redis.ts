/**
 * Rate-limit counters in Redis, for installations that run one (`HOSTPLANE_REDIS_URL`): the
 * same contract as the PostgreSQL store (rate-limit-counters.ts, decision 0032), one script
 * call per counted request, windows timed by Redis's clock and ended by key expiry. A key over
 * its limit is refused from memory until its window ends; while Redis is away each host counts
 * in memory (commands fail fast instead of queueing) and says so once a minute.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryCounters, type RateLimitCounters, type TakenSlot, type WindowCount } from './rate-limit-counters.js';

// KEYS[1] key; ARGV n, window ms. The first hit of a window sets its expiry.
const HIT = `
local hits = redis.call('HINCRBY', KEYS[1], 'h', ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'w', t[1] .. string.format('%06d', t[2]))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {hits, ttl}`;

// KEYS[1] key; ARGV max, window ms. Returns taken (1/0), ttl, and the window's id (its start in µs).
const TAKE = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'h', 0, 'w', t[1] .. string.format('%06d', t[2]))
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
local hits = tonumber(redis.call('HGET', KEYS[1], 'h') or '0')
local win = redis.call('HGET', KEYS[1], 'w')
if hits >= tonumber(ARGV[1]) then return {0, ttl, win} end
redis.call('HINCRBY', KEYS[1], 'h', 1)
return {1, ttl, win}`;

// KEYS[1] key; ARGV window id. Only within the window the slot was taken in.
const GIVE_BACK = `
if redis.call('HGET', KEYS[1], 'w') == ARGV[1] and tonumber(redis.call('HGET', KEYS[1], 'h') or '0') > 0 then
  redis.call('HINCRBY', KEYS[1], 'h', -1)
end
return 0`;

const PREFIX = 'hostplane:';
const WARN_EVERY_MS = 60_000;

type Scripted = Redis & {
  hostplaneHit(key: string, n: number, windowMs: number): Promise<[number, number]>;
  hostplaneTake(key: string, max: number, windowMs: number): Promise<[number, number, string]>;
  hostplaneGiveBack(key: string, window: string): Promise<number>;
};

/** Counters in Redis, shared by every host that uses the same Redis. */
export class RedisCounters implements RateLimitCounters {
  readonly kind = 'redis' as const;
  private readonly redis: Scripted;
  private readonly refused = new Map<string, number>();
  private readonly fallback = new MemoryCounters();
  private lastWarning = 0;

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    // Fail fast while Redis is away (the fallback counts), instead of queueing requests behind it.
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      // Commands issued in the same tick go in one write: a busy host pays one round trip for many.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      lazyConnect: true,
    });
    redis.on('error', (err: unknown) => this.warn(err));
    redis.defineCommand('hostplaneHit', { numberOfKeys: 1, lua: HIT });
    redis.defineCommand('hostplaneTake', { numberOfKeys: 1, lua: TAKE });
    redis.defineCommand('hostplaneGiveBack', { numberOfKeys: 1, lua: GIVE_BACK });
    this.redis = redis as Scripted;
  }

  /**
   * Connect before the first request (commands fail fast while not connected). A Redis that is
   * away at start is not fatal: the host counts in memory until the client reconnects.
   */
  async connect(): Promise<this> {
    await this.redis.connect().catch((err: unknown) => this.warn(err));
    return this;
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn({ err }, 'shared rate-limit counters unavailable: counting in this process meanwhile');
  }

  private refusedFor(key: string): number {
    const until = this.refused.get(key);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) this.refused.delete(key);
    return left;
  }

  private refuse(key: string, ttlMs: number): void {
    this.refused.set(key, Date.now() + ttlMs);
    if (this.refused.size > 10_000) this.refused.delete(this.refused.keys().next().value!);
  }

  async hit(key: string, windowMs: number, max: number): Promise<WindowCount> {
    const left = this.refusedFor(key);
    if (left > 0) return { count: max + 1, ttlMs: left };
    try {
      const [count, ttlMs] = await this.redis.hostplaneHit(PREFIX + key, 1, windowMs);
      if (count > max) this.refuse(key, ttlMs);
      return { count, ttlMs };
    } catch (err) {
      this.warn(err);
      return this.fallback.hit(key, windowMs);
    }
  }

  async take(key: string, max: number, windowMs: number): Promise<TakenSlot> {
    const left = this.refusedFor(key);
    if (left > 0) return { taken: false, ttlMs: left };
    try {
      const [taken, ttlMs, window] = await this.redis.hostplaneTake(PREFIX + key, max, windowMs);
      if (taken === 1) return { taken: true, key, token: Number(window) };
      this.refuse(key, ttlMs);
      return { taken: false, ttlMs };
    } catch (err) {
      this.warn(err);
      return this.fallback.take(key, max, windowMs);
    }
  }

  giveBack(slot: TakenSlot): void {
    if (!slot.taken) return;
    // A slot the fallback gave carries a millisecond clock reading, not a µs window id.
    if (slot.token < 1e14) return this.fallback.giveBack(slot);
    this.refused.delete(slot.key);
    this.redis.hostplaneGiveBack(PREFIX + slot.key, String(slot.token)).catch((err: unknown) => this.warn(err));
  }

  close(): void {
    this.redis.disconnect();
  }
}
