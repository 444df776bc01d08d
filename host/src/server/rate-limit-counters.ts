/**
 * Where rate-limit counters live. In memory (the default with the embedded database, which one
 * process owns) each host process counts alone; in PostgreSQL every host on the database spends
 * from the same budget, so two hosts behind a balancer enforce one limit (decision 0032).
 *
 * The shared store costs at most one statement per counted request. Three things keep that cheap:
 * - the table is unlogged (migration 0011) and each call is one upsert with `RETURNING`;
 * - hits on one key while its statement is out wait and go together in the next one, which
 *   adds their number at once: a busy key (one client hammering) costs one statement per
 *   round trip, not one per request queued on the row's lock, and each request still gets
 *   its own count;
 * - a key seen over its limit is refused locally until its window ends: counts only grow
 *   within a window, so the answer cannot change, and a flood costs the database nothing.
 *
 * Windows are timed by the database's clock, so hosts whose clocks differ still agree on them.
 * When the database fails, a host falls back to counting in memory (and says so once a minute):
 * limits stay per process for that time instead of every request failing or none being limited.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';

/** Where counters are kept: `memory` (per process), `postgres` or `redis` (shared). */
export type RateLimitStoreKind = 'memory' | 'postgres' | 'redis';

/** A counted request: hits in its window so far, and ms until the window ends. */
export interface WindowCount {
  count: number;
  ttlMs: number;
}

/** The outcome of {@link RateLimitCounters.take}: a slot (given back by its token) or a wait. */
export type TakenSlot = { taken: true; key: string; token: number } | { taken: false; ttlMs: number };

/** Counters keyed by string, each with a fixed window that starts at its first hit. */
export interface RateLimitCounters {
  readonly kind: RateLimitStoreKind;
  /** Count one hit; `max` lets a store refuse keys known to be over it without a round trip. */
  hit(key: string, windowMs: number, max: number): Promise<WindowCount>;
  /** Take a slot only if fewer than `max` are taken in the window. */
  take(key: string, max: number, windowMs: number): Promise<TakenSlot>;
  /** Return a slot `take` gave (a no-op once its window is over). Never throws. */
  giveBack(slot: TakenSlot): void;
  /** Stop timers; the counters are not used afterwards. */
  close(): void;
}

/** What a pooled pg connection offers (the `pg` package's Client). */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

interface Bucket {
  count: number;
  resetAt: number;
}

/** Keys remembered at most per in-memory map; the least recently used make room. */
const CAPACITY = 10_000;

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  // Re-inserted, so the Map's order is the order of last use.
  map.delete(key);
  map.set(key, value);
  if (map.size > CAPACITY) map.delete(map.keys().next().value!);
}

/** Counters in this process. */
export class MemoryCounters implements RateLimitCounters {
  readonly kind = 'memory' as const;
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  private bucket(key: string, windowMs: number): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key);
    return bucket && bucket.resetAt > now ? bucket : { count: 0, resetAt: now + windowMs };
  }

  hit(key: string, windowMs: number): Promise<WindowCount> {
    const bucket = this.bucket(key, windowMs);
    bucket.count += 1;
    touch(this.buckets, key, bucket);
    return Promise.resolve({ count: bucket.count, ttlMs: bucket.resetAt - this.now() });
  }

  take(key: string, max: number, windowMs: number): Promise<TakenSlot> {
    const bucket = this.bucket(key, windowMs);
    if (bucket.count >= max) return Promise.resolve({ taken: false, ttlMs: bucket.resetAt - this.now() });
    bucket.count += 1;
    touch(this.buckets, key, bucket);
    return Promise.resolve({ taken: true, key, token: bucket.resetAt });
  }

  giveBack(slot: TakenSlot): void {
    if (!slot.taken) return;
    const bucket = this.buckets.get(slot.key);
    if (bucket && bucket.resetAt === slot.token && bucket.count > 0) bucket.count -= 1;
  }

  close(): void {}
}

// Key, hits to add, window in ms. The window restarts when the stored one is over.
const HIT_SQL = `
insert into hostplane.rate_limit_counters as c (key, hits, reset_at)
values ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
on conflict (key) do update set
  hits = case when c.reset_at <= clock_timestamp() then excluded.hits else c.hits + excluded.hits end,
  reset_at = case when c.reset_at <= clock_timestamp() then excluded.reset_at else c.reset_at end
returning hits, ceil(extract(epoch from (reset_at - clock_timestamp())) * 1000)::int as ttl_ms`;

// Key, window, max: every SET expression sees the row as it was, so `taken` says
// whether this call got a slot, in the same statement that took it. `token` identifies the
// window so a late give-back cannot lower the next window's count.
const TAKE_SQL = `
insert into hostplane.rate_limit_counters as c (key, hits, reset_at)
values ($1, 1, clock_timestamp() + $2 * interval '1 millisecond')
on conflict (key) do update set
  hits = case when c.reset_at <= clock_timestamp() then 1 when c.hits < $3 then c.hits + 1 else c.hits end,
  taken = c.reset_at <= clock_timestamp() or c.hits < $3,
  reset_at = case when c.reset_at <= clock_timestamp() then excluded.reset_at else c.reset_at end
returning taken, (extract(epoch from reset_at) * 1000000)::bigint::text as token,
  ceil(extract(epoch from (reset_at - clock_timestamp())) * 1000)::int as ttl_ms`;

const GIVE_BACK_SQL = `
update hostplane.rate_limit_counters set hits = hits - 1
where key = $1 and hits > 0 and (extract(epoch from reset_at) * 1000000)::bigint = $2::bigint`;

// Windows over for a minute are of no use to anyone; every host sweeps, which is harmless.
const SWEEP_SQL = `delete from hostplane.rate_limit_counters where reset_at < clock_timestamp() - interval '1 minute'`;
const SWEEP_EVERY_MS = 60_000;

/** Hits on one key waiting for its statement. */
interface Batch {
  windowMs: number;
  max: number;
  waiters: Array<{ resolve: (count: WindowCount) => void }>;
}
const WARN_EVERY_MS = 60_000;

/** Counters in `hostplane.rate_limit_counters`, shared by every host on the database. */
export class PostgresCounters implements RateLimitCounters {
  readonly kind = 'postgres' as const;
  /** Keys known to be over their limit, until (local clock) their window ends. */
  private readonly refused = new Map<string, number>();
  private readonly fallback = new MemoryCounters();
  /** Keys with a statement out; the batch waits for it to come back. */
  private readonly inFlight = new Map<string, Batch | null>();
  private readonly sweeper: NodeJS.Timeout;
  private lastWarning = 0;

  /**
   * One statement on a pooled connection, prepared once per connection by name: knex's query
   * building and PostgreSQL's parse and plan are most of what a statement this small costs.
   */
  private async query<Row>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    const client = this.knex.client as {
      acquireConnection(): Promise<PgConnection>;
      releaseConnection(connection: PgConnection): Promise<void>;
    };
    const connection = await client.acquireConnection();
    try {
      return (await connection.query({ name, text, values })).rows as Row[];
    } finally {
      await client.releaseConnection(connection);
    }
  }

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {
    this.sweeper = setInterval(() => {
      this.knex.raw(SWEEP_SQL).catch((err: unknown) => this.warn(err));
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
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

  hit(key: string, windowMs: number, max: number): Promise<WindowCount> {
    const left = this.refusedFor(key);
    if (left > 0) return Promise.resolve({ count: max + 1, ttlMs: left });
    return new Promise((resolve) => {
      if (!this.inFlight.has(key)) {
        this.send(key, { windowMs, max, waiters: [{ resolve }] });
        return;
      }
      const waiting = this.inFlight.get(key);
      if (waiting) waiting.waiters.push({ resolve });
      else this.inFlight.set(key, { windowMs, max, waiters: [{ resolve }] });
    });
  }

  /** Add a batch's hits in one statement, hand each waiter its own count, then send the next batch. */
  private send(key: string, batch: Batch): void {
    this.inFlight.set(key, null);
    const n = batch.waiters.length;
    void this.query<{ hits: number; ttl_ms: number }>('hostplane_rate_limit_hit', HIT_SQL, [key, n, batch.windowMs])
      .then(
        ([row]) => {
          const ttlMs = Math.max(0, row!.ttl_ms);
          if (row!.hits > batch.max) touch(this.refused, key, Date.now() + ttlMs);
          const first = row!.hits - n + 1;
          batch.waiters.forEach((w, i) => w.resolve({ count: first + i, ttlMs }));
        },
        async (err: unknown) => {
          this.warn(err);
          for (const w of batch.waiters) w.resolve(await this.fallback.hit(key, batch.windowMs));
        },
      )
      .finally(() => {
        const next = this.inFlight.get(key);
        this.inFlight.delete(key);
        if (!next) return;
        // Over the limit now: the waiting hits are refused without asking again.
        const left = this.refusedFor(key);
        if (left > 0) for (const w of next.waiters) w.resolve({ count: next.max + 1, ttlMs: left });
        else this.send(key, next);
      });
  }

  async take(key: string, max: number, windowMs: number): Promise<TakenSlot> {
    const left = this.refusedFor(key);
    if (left > 0) return { taken: false, ttlMs: left };
    let row: { taken: boolean; token: string; ttl_ms: number } | undefined;
    try {
      [row] = await this.query<{ taken: boolean; token: string; ttl_ms: number }>('hostplane_rate_limit_take', TAKE_SQL, [
        key,
        windowMs,
        max,
      ]);
    } catch (err) {
      this.warn(err);
      return this.fallback.take(key, max, windowMs);
    }
    const ttlMs = Math.max(0, row!.ttl_ms);
    if (!row!.taken) {
      touch(this.refused, key, Date.now() + ttlMs);
      return { taken: false, ttlMs };
    }
    // The token travels as the window's end in µs (a bigint, so text).
    return { taken: true, key, token: Number(row!.token) };
  }

  giveBack(slot: TakenSlot): void {
    if (!slot.taken) return;
    // A slot the fallback gave carries a millisecond clock reading, not a µs one: give it back there.
    if (slot.token < 1e14) return this.fallback.giveBack(slot);
    // A slot given back frees room: this host must ask again rather than refuse from memory.
    this.refused.delete(slot.key);
    this.query('hostplane_rate_limit_give_back', GIVE_BACK_SQL, [slot.key, String(slot.token)]).catch((err: unknown) =>
      this.warn(err),
    );
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

/** The counters of `kind` (`redis` needs `redisUrl`). */
export async function createRateLimitCounters(
  kind: RateLimitStoreKind,
  knex: Knex,
  logger: Logger,
  redisUrl?: string,
): Promise<RateLimitCounters> {
  if (kind === 'postgres') return new PostgresCounters(knex, logger);
  if (kind === 'redis') {
    if (!redisUrl) throw new TypeError('the redis rate-limit store needs a Redis URL');
    // Loaded only when asked for: most installations never run Redis.
    const { RedisCounters } = await import('./rate-limit-redis.js');
    return new RedisCounters(redisUrl, logger).connect();
  }
  return new MemoryCounters();
}
