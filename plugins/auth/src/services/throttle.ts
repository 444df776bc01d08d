/**
 * Sliding-window throttling kept in PostgreSQL, so every host process sees the same counts.
 * A rule is a key (`login:ip:<address>` …) and the number of events allowed within the window;
 * events are attempts at something guessable (a password, a code, a reset token) or, for the
 * mail-sending endpoints, requests.
 *
 * An attempt is counted *before* the check it guards: {@link Throttle.take} locks the rules'
 * keys, counts their events and records one more under every key only when each rule allows
 * it, in one transaction. However many requests arrive at once, at most `max` checks run per
 * key and window. A check that succeeds gives its events back ({@link Throttle.refund}), so only
 * failures stay counted.
 *
 * A rule with `backoff` does not shut at `max`: past it, each attempt must wait twice as long
 * after the previous one as the last (1 s, 2 s, 4 s … capped at the window).
 */
import type { DatabaseService } from '@hostplane/sdk';

export interface ThrottleRule {
  key: string;
  max: number;
  /** Past `max`, slow down exponentially instead of refusing until events leave the window. */
  backoff?: boolean;
}

/** The events one allowed attempt recorded (one per rule). */
export interface Attempt {
  ids: string[];
}

export type TakeResult = { allowed: true; attempt: Attempt } | { allowed: false; retryAfter: number };

export interface ThrottleDeps {
  db: DatabaseService;
  now: () => Date;
  windowMs: () => number;
}

// Old events of keys nobody hits again are swept by an occasional insert (and at start).
const SWEEP_PROBABILITY = 0.02;
// First half of the two-key advisory locks this file takes ("hpth"): the second half is the
// key's hash, so keys never wait for each other unless they are the same (or collide).
const LOCK_CLASS = 0x68707468;
const BACKOFF_BASE_MS = 1000;

/**
 * Seconds until `rule` allows another event, given the times (ms) of its events in the window,
 * newest first; 0 when it allows one now.
 */
export function secondsToWait(rule: ThrottleRule, newestFirst: number[], now: number, windowMs: number): number {
  if (newestFirst.length < rule.max) return 0;
  let freeAt: number;
  if (rule.backoff) {
    const delay = Math.min(windowMs, BACKOFF_BASE_MS * 2 ** (newestFirst.length - rule.max));
    freeAt = newestFirst[0]! + delay;
  } else {
    // Once the max-th newest leaves the window, one slot is free.
    freeAt = newestFirst[rule.max - 1]! + windowMs;
  }
  return Math.max(0, Math.ceil((freeAt - now) / 1000));
}

export class Throttle {
  constructor(private readonly deps: ThrottleDeps) {}

  /**
   * Count one attempt under every rule, or none: when a rule is at its limit nothing is
   * recorded and the answer says how many seconds to wait. Concurrent calls on the same keys
   * queue on a transaction-scoped advisory lock, so the count each one sees is exact.
   */
  async take(rules: ThrottleRule[]): Promise<TakeResult> {
    if (rules.length === 0) return { allowed: true, attempt: { ids: [] } };
    const at = this.deps.now();
    const windowMs = this.deps.windowMs();
    const keys = [...new Set(rules.map((r) => r.key))];
    const result = await this.deps.db.transaction(async (trx): Promise<TakeResult> => {
      // Locks in one fixed order (by hash, the lock's identity), so two callers never deadlock.
      await trx.raw(
        `select pg_advisory_xact_lock(?, h) from (select distinct hashtext(k) as h from unnest(?::text[]) as k order by h) as l`,
        [LOCK_CLASS, keys],
      );
      const rows = (await this.deps.db
        .table('throttle_events', trx)
        .whereIn('key', keys)
        .andWhere('at', '>', new Date(at.getTime() - windowMs))
        .orderBy([{ column: 'key' }, { column: 'at', order: 'desc' }])
        .select('key', 'at')) as Array<{ key: string; at: Date }>;
      let wait = 0;
      for (const rule of rules) {
        const times = rows.filter((r) => r.key === rule.key).map((r) => r.at.getTime());
        wait = Math.max(wait, secondsToWait(rule, times, at.getTime(), windowMs));
      }
      if (wait > 0) return { allowed: false, retryAfter: wait };
      const inserted = (await this.deps.db
        .table('throttle_events', trx)
        .insert(rules.map((rule) => ({ key: rule.key, at })))
        .returning('id')) as Array<{ id: string | number }>;
      return { allowed: true, attempt: { ids: inserted.map((row) => String(row.id)) } };
    });
    if (result.allowed && Math.random() < SWEEP_PROBABILITY) await this.sweep();
    return result;
  }

  /** Give back the events of an attempt that turned out not to be a failure. */
  async refund(attempt: Attempt): Promise<void> {
    if (attempt.ids.length === 0) return;
    await this.deps.db.table('throttle_events').whereIn('id', attempt.ids).delete();
  }

  /**
   * Forget the events of these keys, and of every key under a prefix (`prefixes`: a successful
   * password reset clears each source's failures on the account).
   */
  async clear(keys: string[], prefixes: string[] = []): Promise<void> {
    if (keys.length === 0 && prefixes.length === 0) return;
    await this.deps.db
      .table('throttle_events')
      .where((q) => {
        if (keys.length > 0) q.whereIn('key', keys);
        for (const prefix of prefixes) q.orWhereRaw('starts_with(key, ?)', [prefix]);
      })
      .delete();
  }

  /** Delete events older than the window. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.deps.now().getTime() - this.deps.windowMs());
    return this.deps.db.table('throttle_events').where('at', '<=', cutoff).delete();
  }
}

const normalised = (email: string) => email.trim().toLowerCase();

/** Throttle keys, in one place so every route spells them the same. */
export const throttleKeys = {
  /** Failed sign-ins on an account from sources without a device cookie for it, together. */
  loginAccount: (email: string) => `login:account:${normalised(email)}`,
  /** Failed sign-ins on an account from one source: an address, or a device cookie. */
  loginAccountSource: (email: string, source: LoginSource) => `login:account:${normalised(email)}|${source.kind}:${source.id}`,
  /** Prefix of every per-source key of an account. */
  loginAccountSources: (email: string) => `login:account:${normalised(email)}|`,
  loginIp: (ip: string) => `login:ip:${ip}`,
  twoFactorUser: (userId: string) => `2fa:user:${userId}`,
  twoFactorIp: (ip: string) => `2fa:ip:${ip}`,
  resetIp: (ip: string) => `reset:ip:${ip}`,
  mailAddress: (purpose: string, email: string) => `mail:${purpose}:${normalised(email)}`,
  mailIp: (ip: string) => `mail:ip:${ip}`,
};

/** Where a sign-in attempt comes from: a device that signed in to the account before, or an address. */
export type LoginSource = { kind: 'device'; id: string } | { kind: 'ip'; id: string };
