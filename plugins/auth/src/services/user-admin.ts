/**
 * What an administrator (or a reseller, within its tree) does to another account through the
 * auth plugin's machinery: act as it (impersonation), require a new password, read its sign-in
 * history. Who may reach whom is the tenancy rule (`administeredUser`); who may act as whom is
 * stricter: only strictly downwards, never an administrator.
 */
import type { Actor, PlatformUser, Role } from '@hostplane/sdk';
import { FIXED_TTL } from '../config.js';
import {
  AccountSuspended,
  ImpersonationRefused,
  NotImpersonating,
  NotYourself,
  SessionRequired,
  UserNotFound,
} from '../errors.js';
import { administeredUser } from './accounts.js';
import { emitQuietly, recordAudit, type AuthDeps, type RequestInfo } from './context.js';
import { startSession, type SignedIn } from './login.js';
import { forcedResetMail, tokenLink } from './mails.js';

const RANK: Record<Role, number> = { super_admin: 0, reseller: 1, customer: 2, technical_user: 3 };

/**
 * Sign in as a user below the caller. The new session records the impersonator; the caller's
 * own session is untouched (the client keeps it and returns to it when done).
 */
export async function impersonate(deps: AuthDeps, actor: Actor, userId: string, info: RequestInfo): Promise<SignedIn> {
  if (!actor.sessionId) throw SessionRequired();
  if (actor.impersonatorId) throw ImpersonationRefused('End the current impersonation first');
  if (userId === actor.userId) throw ImpersonationRefused('You cannot impersonate yourself');
  const target = await administeredUser(deps, actor, userId);
  if (target.role === 'super_admin') throw ImpersonationRefused('Administrators cannot be impersonated');
  // The tree already keeps a reseller to its own customers; this also keeps anyone from acting
  // as a peer or a superior should the tree ever allow one below another of the same role.
  if (RANK[target.role] <= RANK[actor.role]) throw ImpersonationRefused(`A ${actor.role} cannot impersonate a ${target.role}`);
  if (target.status !== 'active') throw AccountSuspended();
  const signedIn = await startSession(deps, target, { twoFactor: false, impersonatorId: actor.userId }, info);
  await recordAudit(deps, info, 'auth.impersonation.started', {
    actorId: actor.userId,
    target: { type: 'user', id: target.id },
    details: { sessionId: signedIn.sessionId, impersonatorId: actor.userId, userId: target.id },
  });
  return signedIn;
}

/** End the impersonated session the caller is using; returns who the impersonator is. */
export async function stopImpersonation(deps: AuthDeps, actor: Actor, info: RequestInfo): Promise<PlatformUser> {
  const impersonatorId = actor.impersonatorId;
  if (!impersonatorId || !actor.sessionId) throw NotImpersonating();
  await deps.sessions.revoke(actor.userId, actor.sessionId);
  await recordAudit(deps, info, 'auth.impersonation.stopped', {
    actorId: impersonatorId,
    target: { type: 'user', id: actor.userId },
    details: { sessionId: actor.sessionId, impersonatorId, userId: actor.userId },
  });
  await emitQuietly(
    deps,
    'sessions.revoked',
    { userId: actor.userId, count: 1, reason: 'impersonation_stopped' },
    info.requestId,
  );
  const impersonator = await deps.users.get(impersonatorId);
  if (!impersonator) throw UserNotFound(impersonatorId);
  return impersonator;
}

/**
 * Require a new password: in one transaction the requirement is recorded, every session and
 * API token of the account ends, and a reset link (72 h) goes to the outbox. Until the user
 * sets a new password, login answers AUTH_ERR_PASSWORD_RESET_REQUIRED.
 */
export async function forcePasswordReset(
  deps: AuthDeps,
  actor: Actor,
  userId: string,
  info: RequestInfo,
): Promise<{ sessionsRevoked: number; apiTokensRevoked: number; mailSent: boolean }> {
  if (userId === actor.userId) throw NotYourself('force a password reset on');
  const user = await administeredUser(deps, actor, userId);
  const outcome = await deps.db.transaction(async (trx) => {
    await deps.db
      .table('password_reset_required', trx)
      .insert({ user_id: user.id, required_at: deps.now(), required_by: actor.userId })
      .onConflict('user_id')
      .merge();
    const sessionsRevoked = await deps.sessions.revokeAll(user.id, { trx });
    const apiTokensRevoked = await deps.apiTokens.revokeAll(user.id, trx);
    const token = await deps.oneTime.issue(user.id, 'reset_password', FIXED_TTL.forcedResetMs, { trx });
    await deps.mailer.sendTemplate(
      forcedResetMail,
      {
        to: user.email,
        recipientId: user.id,
        variables: {
          url: tokenLink(deps.config.publicUrl, '/reset-password', token),
          hours: FIXED_TTL.forcedResetMs / 3600_000,
        },
      },
      { trx },
    );
    return { sessionsRevoked, apiTokensRevoked };
  });
  await recordAudit(deps, info, 'auth.password.reset-forced', {
    actorId: actor.userId,
    target: { type: 'user', id: user.id },
    details: { ...outcome, ...(actor.impersonatorId ? { impersonatorId: actor.impersonatorId } : {}) },
  });
  if (outcome.sessionsRevoked > 0)
    await emitQuietly(
      deps,
      'sessions.revoked',
      { userId: user.id, count: outcome.sessionsRevoked, reason: 'password_reset_forced' },
      info.requestId,
    );
  return { ...outcome, mailSent: true };
}
