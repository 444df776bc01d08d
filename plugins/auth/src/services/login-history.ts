/** Each sign-in attempt on a known account: when, from where, whether it worked and why not. */
import type { DatabaseService } from '@hostplane/sdk';

export type LoginOutcome =
  | 'invalid_password'
  | 'email_not_verified'
  | 'account_suspended'
  | 'password_reset_required'
  | 'throttled'
  | 'invalid_2fa_code'
  | 'invalid_recovery_code';

export interface LoginEntry {
  id: string;
  at: Date;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  reason: LoginOutcome | null;
  twoFactor: boolean;
}

interface Row {
  id: string;
  at: Date;
  ip: string | null;
  user_agent: string | null;
  success: boolean;
  reason: LoginOutcome | null;
  two_factor: boolean;
}

/** Entries are kept this long. */
const KEEP_DAYS = 180;

export class LoginHistory {
  constructor(private readonly deps: { db: DatabaseService; now: () => Date }) {}

  async record(entry: {
    userId: string;
    ip: string | null;
    userAgent: string | null;
    success: boolean;
    reason?: LoginOutcome | null;
    twoFactor?: boolean;
  }): Promise<void> {
    await this.deps.db.table('login_history').insert({
      user_id: entry.userId,
      at: this.deps.now(),
      ip: entry.ip,
      user_agent: entry.userAgent,
      success: entry.success,
      reason: entry.reason ?? null,
      two_factor: entry.twoFactor ?? false,
    });
  }

  /** Newest first; `before` is the id of the last entry of the previous page. */
  async list(
    userId: string,
    page: { limit: number; before?: string },
  ): Promise<{ items: LoginEntry[]; nextCursor: string | null }> {
    const query = this.deps.db
      .table('login_history')
      .where({ user_id: userId })
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .select('id', 'at', 'ip', 'user_agent', 'success', 'reason', 'two_factor');
    if (page.before !== undefined) query.andWhere('id', '<', page.before);
    const rows = (await query) as Row[];
    const items = rows.slice(0, page.limit).map((r) => ({
      id: String(r.id),
      at: r.at,
      ip: r.ip,
      userAgent: r.user_agent,
      success: r.success,
      reason: r.reason,
      twoFactor: r.two_factor,
    }));
    return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
  }

  async prune(): Promise<number> {
    return this.deps.db
      .table('login_history')
      .where('at', '<', new Date(this.deps.now().getTime() - KEEP_DAYS * 86_400_000))
      .delete();
  }
}
