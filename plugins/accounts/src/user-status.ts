/**
 * Suspending a user suspends their services: in one transaction the user's status changes, their
 * active subscriptions follow (marked `suspended_with_user`, the reason carried over), and the
 * events go out once it commits (`subscription.suspended` for each, then `user.suspended`).
 * Unsuspending brings back only the subscriptions marked so; one suspended for its own reason
 * stays suspended. Used by the API and the CLI alike.
 */
import type { Knex } from 'knex';
import { type AccountsDeps } from './common.js';
import { AccountsErrors } from './errors.js';
import { assertMayLift, type SuspensionLevel } from './suspension-levels.js';

/** Who asked, for the audit entry and the events. */
export interface StatusChangeBy {
  actorId: string | null;
  ip?: string | null;
  requestId?: string | null;
  /** `api` or `cli`. */
  via: string;
  /** The level the change is made at (the CLI: `platform`); see suspension-levels.ts. */
  level: SuspensionLevel;
}

/** What changed. */
export interface StatusChange {
  userId: string;
  subscriptions: string[];
}

async function lockUser(deps: AccountsDeps, trx: Knex.Transaction, userId: string): Promise<{ status: string }> {
  // FOR UPDATE: two concurrent suspends of one user cannot both pass the status check.
  const row = (await trx('hostplane.users').where({ id: userId }).forUpdate().first('status')) as { status: string } | undefined;
  if (!row) throw AccountsErrors.userNotFound(userId);
  return row;
}

/**
 * Suspending records who did it and at which level; unsuspending checks that level first
 * (403 `ACCOUNTS_ERR_SUSPENDED_ABOVE` below it) and forgets it.
 */
async function recordLevel(deps: AccountsDeps, trx: Knex.Transaction, userId: string, suspend: boolean, by: StatusChangeBy) {
  const table = () => deps.db.table('user_suspensions', trx);
  if (suspend) {
    await table()
      .insert({ user_id: userId, suspended_by: by.actorId, level: by.level })
      .onConflict('user_id')
      .merge(['suspended_by', 'level', 'created_at']);
    return;
  }
  const row = (await table().where({ user_id: userId }).first('level')) as { level: SuspensionLevel } | undefined;
  assertMayLift('user', by.level, row?.level ?? null);
  await table().where({ user_id: userId }).delete();
}

/** Suspend `userId` and their active subscriptions. 409 unless the user is active. */
export function suspendUser(deps: AccountsDeps, userId: string, reason: string, by: StatusChangeBy): Promise<StatusChange> {
  return change(deps, userId, true, reason, by);
}

/** Reactivate `userId` and the subscriptions suspended with them. 409 unless suspended. */
export function unsuspendUser(deps: AccountsDeps, userId: string, by: StatusChangeBy): Promise<StatusChange> {
  return change(deps, userId, false, null, by);
}

async function change(
  deps: AccountsDeps,
  userId: string,
  suspend: boolean,
  reason: string | null,
  by: StatusChangeBy,
): Promise<StatusChange> {
  const { db, events } = deps;
  return db.transaction(async (trx) => {
    const { status } = await lockUser(deps, trx, userId);
    if (status !== (suspend ? 'active' : 'suspended'))
      throw AccountsErrors.userStatus(status, suspend ? 'suspended' : 'unsuspended');
    await recordLevel(deps, trx, userId, suspend, by);
    await deps.users.setStatus(userId, suspend ? 'suspended' : 'active', { trx });
    const changed = (await db
      .table('subscriptions', trx)
      .where({ customer_id: userId })
      .modify((q) => {
        if (suspend) q.where({ status: 'active' });
        else q.where({ status: 'suspended', suspended_with_user: true });
      })
      .update({
        status: suspend ? 'suspended' : 'active',
        suspended_with_user: suspend,
        suspend_reason: suspend ? reason : null,
        // Suspended with the user: the level of the user's suspension.
        suspended_by: suspend ? by.actorId : null,
        suspended_by_level: suspend ? by.level : null,
        updated_at: db.knex.fn.now(),
      })
      .returning(['id', 'customer_id'])) as Array<{ id: string; customer_id: string }>;
    const options = { trx, ...(by.requestId ? { requestId: by.requestId } : {}) };
    for (const sub of changed) {
      const base = { subscriptionId: sub.id, customerId: sub.customer_id, withUser: true };
      if (suspend) await events.emit('subscription.suspended', { ...base, reason }, options);
      else await events.emit('subscription.unsuspended', base, options);
    }
    await deps.audit.record(
      {
        action: suspend ? 'accounts.user.suspended' : 'accounts.user.unsuspended',
        actorId: by.actorId,
        target: { type: 'user', id: userId },
        details: { ...(reason ? { reason } : {}), subscriptions: changed.map((s) => s.id), via: by.via },
        ip: by.ip ?? null,
        requestId: by.requestId ?? null,
      },
      { trx },
    );
    if (suspend) await events.emit('user.suspended', { userId, reason: reason ?? '', actorId: by.actorId }, options);
    else await events.emit('user.unsuspended', { userId, actorId: by.actorId }, options);
    return { userId, subscriptions: changed.map((s) => s.id) };
  });
}
