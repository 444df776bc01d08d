/**
 * Single-use tokens sent by mail (email verification, password reset) or handed out between
 * the two steps of a 2FA login. Stored hashed; using one is an atomic UPDATE … WHERE used_at IS
 * NULL, so two requests racing with the same token cannot both win.
 */
import type { DatabaseService } from '@hostplane/sdk';
import type { Knex } from 'knex';
import { hashToken, randomToken } from './crypto.js';

export type OneTimePurpose = 'verify_email' | 'reset_password' | 'login_challenge';

interface Row {
  id: string;
  user_id: string;
  purpose: OneTimePurpose;
  attempts: number;
  expires_at: Date;
  used_at: Date | null;
}

export class OneTimeTokens {
  constructor(private readonly deps: { db: DatabaseService; now: () => Date }) {}

  /**
   * Issue a token. Unless `replace` is false, earlier unused tokens of the same purpose for the
   * user stop working (only the newest mail's link counts).
   */
  async issue(
    userId: string,
    purpose: OneTimePurpose,
    ttlMs: number,
    options: { trx?: Knex.Transaction; replace?: boolean } = {},
  ): Promise<string> {
    const now = this.deps.now();
    const token = randomToken(32);
    const table = () => this.deps.db.table('one_time_tokens', options.trx);
    if (options.replace !== false)
      await table().where({ user_id: userId, purpose }).whereNull('used_at').update({ used_at: now });
    await table().insert({
      user_id: userId,
      purpose,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: new Date(now.getTime() + ttlMs),
    });
    return token;
  }

  /** The live token's row without using it up. */
  async peek(token: string, purpose: OneTimePurpose): Promise<{ id: string; userId: string; attempts: number } | undefined> {
    const row = (await this.deps.db
      .table('one_time_tokens')
      .where({ token_hash: hashToken(token), purpose })
      .whereNull('used_at')
      .andWhere('expires_at', '>', this.deps.now())
      .first('id', 'user_id', 'attempts')) as Pick<Row, 'id' | 'user_id' | 'attempts'> | undefined;
    return row ? { id: row.id, userId: row.user_id, attempts: row.attempts } : undefined;
  }

  /** Use the token up; the user id when it was live, undefined otherwise. */
  async consume(token: string, purpose: OneTimePurpose, trx?: Knex.Transaction): Promise<string | undefined> {
    const now = this.deps.now();
    const [row] = (await this.deps.db
      .table('one_time_tokens', trx)
      .where({ token_hash: hashToken(token), purpose })
      .whereNull('used_at')
      .andWhere('expires_at', '>', now)
      .update({ used_at: now })
      .returning(['user_id'])) as Array<Pick<Row, 'user_id'>>;
    return row?.user_id;
  }

  /** Use up the token with this id (found by {@link peek}); false when someone was first. */
  async consumeById(id: string, trx?: Knex.Transaction): Promise<boolean> {
    const now = this.deps.now();
    const updated = await this.deps.db
      .table('one_time_tokens', trx)
      .where({ id })
      .whereNull('used_at')
      .andWhere('expires_at', '>', now)
      .update({ used_at: now });
    return updated > 0;
  }

  /** Count a wrong answer against a token; at `max` it is used up. Returns whether it lives on. */
  async recordAttempt(id: string, max: number): Promise<boolean> {
    const [row] = (await this.deps.db
      .table('one_time_tokens')
      .where({ id })
      .increment('attempts', 1)
      .returning(['attempts'])) as Array<Pick<Row, 'attempts'>>;
    if (!row || row.attempts >= max) {
      await this.deps.db.table('one_time_tokens').where({ id }).whereNull('used_at').update({ used_at: this.deps.now() });
      return false;
    }
    return true;
  }

  /** Delete tokens that can no longer be used (housekeeping at start). */
  async prune(): Promise<number> {
    const dayAgo = new Date(this.deps.now().getTime() - 86_400_000);
    return this.deps.db.table('one_time_tokens').where('expires_at', '<=', dayAgo).orWhere('used_at', '<=', dayAgo).delete();
  }
}
