/**
 * The "choose a new password" requirement an administrator puts on an account (forced reset).
 * Its own file because three flows read or lift it (login, password change and reset, the
 * administrator's action) and none of them should import another for it.
 */
import type { Knex } from 'knex';
import type { AuthDeps } from './context.js';

/** Whether an administrator has required this user to choose a new password. */
export async function passwordResetRequired(deps: Pick<AuthDeps, 'db'>, userId: string): Promise<boolean> {
  return (await deps.db.table('password_reset_required').where({ user_id: userId }).first('user_id')) !== undefined;
}

/** Lift the requirement (a new password was set), inside the caller's transaction. */
export async function clearPasswordResetRequirement(deps: Pick<AuthDeps, 'db'>, userId: string, trx?: Knex.Transaction) {
  await deps.db.table('password_reset_required', trx).where({ user_id: userId }).delete();
}
