/**
 * Sliding-window throttling kept in PostgreSQL, so every host process sees the same counts.
 * A rule is a key (`login:account:<email>`, `login:ip:<address>` …) and the number of events
 * allowed within the window; events are failures (wrong password, wrong code, bad reset token)
 * or, for mail-sending endpoints, requests.
 */
import type { DatabaseService } from '@hostplane/sdk';

export interface ThrottleRule {
  key: string;
  max: number;
}

export interface ThrottleDeps {
  db: DatabaseService;
  now: () => Date;
  windowMs: () => number;
}

// Old events of keys nobody hits again are swept by an occasional insert (and at start).
const SWEEP_PROBABILITY = 0.02;

export class Throttle {
  constructor(private readonly deps: ThrottleDeps) {}

  /**
   * Seconds until every rule allows another event; 0 when all allow one now. A rule at its
   * limit frees up when its oldest counted event leaves the window.
   */
  async retryAfter(rules: ThrottleRule[]): Promise<number> {
    if (rules.length === 0) return 0;
    const now = this.deps.now().getTime();
    const windowMs = this.deps.windowMs();
    const rows = (await this.deps.db
      .table('throttle_events')
      .whereIn(
        'key',
        rules.map((r) => r.key),
      )
      .andWhere('at', '>', new Date(now - windowMs))
      .orderBy([{ column: 'key' }, { column: 'at', order: 'desc' }])
      .select('key', 'at')) as Array<{ key: string; at: Date }>;
    let wait = 0;
    for (const rule of rules) {
      const times = rows.filter((r) => r.key === rule.key).map((r) => r.at.getTime());
      if (times.length < rule.max) continue;
      // Newest first: once the max-th newest leaves the window, one slot is free.
      const freeAt = times[rule.max - 1]! + windowMs;
      wait = Math.max(wait, Math.ceil((freeAt - now) / 1000));
    }
    return wait;
  }

  /** Record one event under each key. */
  async hit(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const at = this.deps.now();
    await this.deps.db.table('throttle_events').insert(keys.map((key) => ({ key, at })));
    if (Math.random() < SWEEP_PROBABILITY) await this.sweep();
  }

  /** Forget the events of these keys (a successful login clears its account's failures). */
  async clear(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.deps.db.table('throttle_events').whereIn('key', keys).delete();
  }

  /** Delete events older than the window. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.deps.now().getTime() - this.deps.windowMs());
    return this.deps.db.table('throttle_events').where('at', '<=', cutoff).delete();
  }
}

/** Throttle keys, in one place so every route spells them the same. */
export const throttleKeys = {
  loginAccount: (email: string) => `login:account:${email.trim().toLowerCase()}`,
  loginIp: (ip: string) => `login:ip:${ip}`,
  twoFactorUser: (userId: string) => `2fa:user:${userId}`,
  twoFactorIp: (ip: string) => `2fa:ip:${ip}`,
  resetIp: (ip: string) => `reset:ip:${ip}`,
  mailAddress: (purpose: string, email: string) => `mail:${purpose}:${email.trim().toLowerCase()}`,
  mailIp: (ip: string) => `mail:ip:${ip}`,
};
