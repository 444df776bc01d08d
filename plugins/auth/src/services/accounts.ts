/**
 * Account flows: registration and email verification, forgotten and changed passwords, and
 * what an administrator does to another account (revoke its sessions, impersonate it). The
 * endpoints that take an address answer the same whether or not it has an account.
 */
import { isHostplaneError, type Actor, type PlatformUser } from '@hostplane/sdk';
import { FIXED_TTL } from '../config.js';
import {
  PasswordIncorrect,
  RegistrationDisabled,
  RegistrationUnavailable,
  ResetTokenInvalid,
  SessionRequired,
  Throttled,
  UserNotFound,
  VerificationInvalid,
} from '../errors.js';
import { emitQuietly, recordAudit, type AuthDeps, type RequestInfo } from './context.js';
import { alreadyRegisteredMail, panelUrl, resetMail, tokenLink, verificationMail } from './mails.js';
import { checkPassword } from './password-policy.js';
import { clearPasswordResetRequirement } from './password-reset-requirement.js';
import { loginSource, passwordRules } from './password-throttle.js';
import { throttleKeys, type ThrottleRule } from './throttle.js';

/** The parent of self-registered customers: the platform's first administrator. */
async function oldestSuperAdmin(deps: AuthDeps): Promise<string | undefined> {
  // UsersService has no listing yet; this read of the core table is the one exception.
  const result = await deps.db.knex.raw<{ rows: Array<{ id: string }> }>(
    `select id from hostplane.users
      where role = 'super_admin' and status = 'active' and deleted_at is null
      order by created_at, id limit 1`,
  );
  return result.rows[0]?.id;
}

/**
 * Count a mail request against the address and the IP; throws AUTH_ERR_THROTTLED past the
 * limits. Counted whether or not the address has an account, so a 429 tells nothing either.
 */
async function spendMailBudget(deps: AuthDeps, purpose: string, email: string, info: RequestInfo): Promise<void> {
  const rules: ThrottleRule[] = [
    { key: throttleKeys.mailAddress(purpose, email), max: deps.config.mailMaxPerAddress },
    { key: throttleKeys.mailIp(info.ip), max: deps.config.mailMaxPerIp },
  ];
  const taken = await deps.throttle.take(rules);
  if (!taken.allowed) throw Throttled(taken.retryAfter);
}

async function sendVerification(deps: AuthDeps, user: { id: string; email: string }): Promise<void> {
  const token = await deps.oneTime.issue(user.id, 'verify_email', FIXED_TTL.verifyEmailMs);
  await deps.mailer.sendTemplate(verificationMail, {
    to: user.email,
    recipientId: user.id,
    variables: { url: tokenLink(deps.config.publicUrl, '/verify-email', token) },
  });
}

/**
 * Create a customer account under the oldest super admin and mail a verification link. An
 * address that already has an account gets a mail saying so, and the caller the same answer.
 */
export async function register(
  deps: AuthDeps,
  input: { email: string; password: string; name?: string | undefined },
  info: RequestInfo,
): Promise<void> {
  if (!deps.config.registrationEnabled) throw RegistrationDisabled();
  checkPassword(input.password, input.email, deps.commonPasswords);
  const parentId = await oldestSuperAdmin(deps);
  if (!parentId) throw RegistrationUnavailable();
  await spendMailBudget(deps, 'register', input.email, info);

  const existing = await deps.users.getByEmail(input.email);
  if (existing) {
    // A password check costs what hashing a new one would: the timing tells nothing either.
    await deps.users.verifyPassword(existing.email, input.password);
    await deps.mailer.sendTemplate(alreadyRegisteredMail, {
      to: existing.email,
      recipientId: existing.id,
      variables: {
        loginUrl: panelUrl(deps.config.publicUrl, '/login'),
        resetUrl: panelUrl(deps.config.publicUrl, '/forgot-password'),
      },
    });
    await recordAudit(deps, info, 'auth.registration.duplicate', { target: { type: 'user', id: existing.id } });
    return;
  }
  let user: PlatformUser;
  try {
    user = await deps.users.create({
      email: input.email,
      role: 'customer',
      parentId,
      password: input.password,
      ...(input.name !== undefined ? { name: input.name } : {}),
    });
  } catch (err) {
    // Lost a race with another sign-up of the same address: same answer as above.
    if (isHostplaneError(err) && err.code === 'USERS_ERR_EMAIL_TAKEN') return;
    throw err;
  }
  await sendVerification(deps, user);
  await recordAudit(deps, info, 'auth.user.registered', { actorId: user.id, target: { type: 'user', id: user.id } });
}

/** Confirm an address with the token from its mail. */
export async function verifyEmail(deps: AuthDeps, token: string, info: RequestInfo): Promise<void> {
  const userId = await deps.oneTime.consume(token, 'verify_email');
  if (!userId) throw VerificationInvalid();
  await deps.users.markEmailVerified(userId);
  await recordAudit(deps, info, 'auth.email.verified', { actorId: userId, target: { type: 'user', id: userId } });
  await emitQuietly(deps, 'user.email-verified', { userId }, info.requestId);
}

/** Send a new verification link when the address has an unconfirmed, active account. */
export async function resendVerification(deps: AuthDeps, email: string, info: RequestInfo): Promise<void> {
  await spendMailBudget(deps, 'verify', email, info);
  const user = await deps.users.getByEmail(email);
  if (user && !user.emailVerifiedAt && user.status === 'active') await sendVerification(deps, user);
}

/** Mail a reset link (30 min, single use) when the address has an active account. */
export async function forgotPassword(deps: AuthDeps, email: string, info: RequestInfo): Promise<void> {
  await spendMailBudget(deps, 'reset', email, info);
  const user = await deps.users.getByEmail(email);
  if (!user || user.status !== 'active') return;
  const token = await deps.oneTime.issue(user.id, 'reset_password', FIXED_TTL.resetPasswordMs);
  await deps.mailer.sendTemplate(resetMail, {
    to: user.email,
    recipientId: user.id,
    variables: { url: tokenLink(deps.config.publicUrl, '/reset-password', token) },
  });
  await recordAudit(deps, info, 'auth.password.reset-requested', { actorId: user.id, target: { type: 'user', id: user.id } });
}

/**
 * Set a new password with a reset token; every session and API token of the account ends: a
 * reset usually means the old password (and what was made with it) can no longer be trusted.
 */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; password: string },
  info: RequestInfo,
): Promise<void> {
  const taken = await deps.throttle.take([{ key: throttleKeys.resetIp(info.ip), max: deps.config.throttleMaxPerIp }]);
  if (!taken.allowed) throw Throttled(taken.retryAfter);
  const found = await deps.oneTime.peek(input.token, 'reset_password');
  const user = found ? await deps.users.get(found.userId) : undefined;
  if (!found || !user || user.status !== 'active') throw ResetTokenInvalid();
  await deps.throttle.refund(taken.attempt);
  checkPassword(input.password, user.email, deps.commonPasswords);
  const { revoked, apiTokensRevoked } = await deps.db.transaction(async (trx) => {
    if (!(await deps.oneTime.consumeById(found.id, trx))) throw ResetTokenInvalid();
    await deps.users.setPassword(user.id, input.password, { trx });
    await clearPasswordResetRequirement(deps, user.id, trx);
    return {
      revoked: await deps.sessions.revokeAll(user.id, { trx }),
      apiTokensRevoked: await deps.apiTokens.revokeAll(user.id, trx),
    };
  });
  // The link reached the mailbox: the address is proven.
  if (!user.emailVerifiedAt) await deps.users.markEmailVerified(user.id);
  // The mailbox's owner chose a new password: failures of the old one no longer count.
  await deps.throttle.clear([throttleKeys.loginAccount(user.email)], [throttleKeys.loginAccountSources(user.email)]);
  await recordAudit(deps, info, 'auth.password.reset', {
    actorId: user.id,
    target: { type: 'user', id: user.id },
    details: { sessionsRevoked: revoked, apiTokensRevoked },
  });
  await emitQuietly(deps, 'password.changed', { userId: user.id, via: 'reset' }, info.requestId);
  if (revoked > 0)
    await emitQuietly(deps, 'sessions.revoked', { userId: user.id, count: revoked, reason: 'password_reset' }, info.requestId);
}

/** Change the caller's password; their other sessions end. */
export async function changePassword(
  deps: AuthDeps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  info: RequestInfo,
): Promise<{ sessionsRevoked: number }> {
  if (!actor.sessionId) throw SessionRequired();
  const user = await deps.users.get(actor.userId);
  if (!user) throw UserNotFound(actor.userId);
  // Counted as sign-in attempts from this source: the same secret, guessed through another door.
  const source = loginSource(deps, user.email, info);
  const taken = await deps.throttle.take(passwordRules(deps, user.email, source, info.ip));
  if (!taken.allowed) throw Throttled(taken.retryAfter);
  const verified = await deps.users.verifyPassword(user.email, input.currentPassword);
  if (!verified || verified.id !== user.id) {
    await recordAudit(deps, info, 'auth.password.change-failed', { actorId: user.id, target: { type: 'user', id: user.id } });
    throw PasswordIncorrect();
  }
  await deps.throttle.refund(taken.attempt);
  checkPassword(input.newPassword, user.email, deps.commonPasswords);
  const sessionId = actor.sessionId;
  const revoked = await deps.db.transaction(async (trx) => {
    await deps.users.setPassword(user.id, input.newPassword, { trx });
    await clearPasswordResetRequirement(deps, user.id, trx);
    return deps.sessions.revokeAll(user.id, { except: sessionId, trx });
  });
  await recordAudit(deps, info, 'auth.password.changed', {
    actorId: user.id,
    target: { type: 'user', id: user.id },
    details: { sessionsRevoked: revoked },
  });
  await emitQuietly(deps, 'password.changed', { userId: user.id, via: 'change' }, info.requestId);
  if (revoked > 0) {
    await emitQuietly(deps, 'sessions.revoked', { userId: user.id, count: revoked, reason: 'password_changed' }, info.requestId);
  }
  return { sessionsRevoked: revoked };
}

/** End every session and API token of a user (the CLI and the admin route). */
export async function revokeEverything(
  deps: AuthDeps,
  userId: string,
  by: { actorId: string | null; via: string },
  info: RequestInfo | null,
): Promise<{ sessions: number; apiTokens: number }> {
  const { sessions, apiTokens } = await deps.db.transaction(async (trx) => ({
    sessions: await deps.sessions.revokeAll(userId, { trx }),
    apiTokens: await deps.apiTokens.revokeAll(userId, trx),
  }));
  await recordAudit(deps, info, 'auth.sessions.revoked', {
    actorId: by.actorId,
    target: { type: 'user', id: userId },
    details: { sessions, apiTokens, via: by.via },
  });
  await emitQuietly(
    deps,
    'sessions.revoked',
    { userId, count: sessions, reason: `revoked_by_${by.via}` },
    info?.requestId ?? null,
  );
  return { sessions, apiTokens };
}

/** The user `actor` may administer (themselves or their subtree); 404 otherwise. */
export async function administeredUser(deps: AuthDeps, actor: Actor, userId: string): Promise<PlatformUser> {
  const user = await deps.users.get(userId);
  // Someone outside the actor's tree is "not found", not "forbidden": no probing for ids.
  if (!user || user.status === 'deleted' || !(await deps.tenancy.canAccessUser(actor, user.id))) throw UserNotFound(userId);
  return user;
}
