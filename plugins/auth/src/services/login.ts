/**
 * Signing in: the password step, the optional second factor, refresh and logout. Each attempt
 * is counted before the password or code is checked (see throttle.ts), and each failure is
 * written to the account's login history (when the account exists) and to the audit log.
 * Password attempts are throttled as password-throttle.ts says.
 */
import type { Role } from '@hostplane/sdk';
import { FIXED_TTL } from '../config.js';
import {
  AccountSuspended,
  ChallengeInvalid,
  CodeChoice,
  EmailNotVerified,
  InvalidCredentials,
  PasswordResetRequired,
  SessionRevoked,
  Throttled,
  TwoFactorCodeInvalid,
} from '../errors.js';
import { emitQuietly, recordAudit, type AuthDeps, type RequestInfo } from './context.js';
import { signAccessToken } from './jwt.js';
import type { LoginOutcome } from './login-history.js';
import { passwordResetRequired } from './password-reset-requirement.js';
import { deviceTokenFor, loginSource, passwordRules } from './password-throttle.js';
import { reuseVictim, SessionStore, type NewSession } from './sessions.js';
import { throttleKeys } from './throttle.js';

/** The user fields a sign-in answer shows. */
export interface UserLike {
  id: string;
  email: string;
  name: string;
  role: Role;
  parentId: string | null;
  status: string;
  emailVerifiedAt: Date | string | null;
  createdAt: Date | string;
}

/** What a client receives when it signs in or refreshes. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  csrfToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  sessionId: string;
  user: UserLike;
}

/** A completed sign-in: tokens, plus the session token for the cookie. */
export interface SignedIn extends TokenSet {
  session: NewSession;
}

/** A sign-in by the account's owner: the session, and the device cookie to keep (or renew). */
export interface OwnerSignedIn {
  signedIn: SignedIn;
  deviceToken: string;
}

export type PasswordStepResult =
  ({ kind: 'signed-in' } & OwnerSignedIn) | { kind: 'challenge'; challengeToken: string; expiresIn: number };

/** Access token + CSRF token for a session. */
export function accessFor(deps: AuthDeps, user: { id: string; role: Role }, sessionId: string) {
  const keys = deps.keys.get();
  const { token } = signAccessToken(keys.jwt, {
    userId: user.id,
    role: user.role,
    sessionId,
    ttlSeconds: deps.config.accessTokenTtlSeconds,
    now: deps.now(),
  });
  return {
    accessToken: token,
    csrfToken: SessionStore.csrfTokenOf(keys.csrf, sessionId),
    expiresIn: deps.config.accessTokenTtlSeconds,
  };
}

/** Create a session with its first refresh token and access token. */
export async function startSession(
  deps: AuthDeps,
  user: UserLike,
  options: { twoFactor: boolean; impersonatorId?: string | null },
  info: RequestInfo,
): Promise<SignedIn> {
  const { session, refresh } = await deps.db.transaction(async (trx) => {
    const created = await deps.sessions.create(
      {
        userId: user.id,
        twoFactor: options.twoFactor,
        impersonatorId: options.impersonatorId ?? null,
        ip: info.ip,
        userAgent: info.userAgent,
      },
      trx,
    );
    return { session: created, refresh: await deps.sessions.issueRefreshToken(created.id, trx) };
  });
  await emitQuietly(
    deps,
    'session.created',
    { userId: user.id, sessionId: session.id, twoFactor: options.twoFactor, impersonatorId: options.impersonatorId ?? null },
    info.requestId,
  );
  return { ...accessFor(deps, user, session.id), refreshToken: refresh.token, sessionId: session.id, user, session };
}

async function refuse(
  deps: AuthDeps,
  info: RequestInfo,
  user: { id: string } | undefined,
  reason: LoginOutcome,
  details: Record<string, unknown>,
  twoFactor = false,
): Promise<void> {
  if (user) {
    await deps.history.record({ userId: user.id, ip: info.ip, userAgent: info.userAgent, success: false, reason, twoFactor });
  }
  await recordAudit(deps, info, 'auth.login.failed', { actorId: user?.id ?? null, details: { reason, ...details } });
}

async function succeed(deps: AuthDeps, info: RequestInfo, signedIn: SignedIn, twoFactor: string | null): Promise<void> {
  await deps.history.record({
    userId: signedIn.user.id,
    ip: info.ip,
    userAgent: info.userAgent,
    success: true,
    twoFactor: twoFactor !== null,
  });
  await recordAudit(deps, info, 'auth.login.succeeded', {
    actorId: signedIn.user.id,
    target: { type: 'session', id: signedIn.sessionId },
    details: { twoFactor },
  });
}

/** The password step. With 2FA on, answers a challenge instead of a session. */
export async function passwordStep(
  deps: AuthDeps,
  input: { email: string; password: string },
  info: RequestInfo,
): Promise<PasswordStepResult> {
  const email = input.email.trim().toLowerCase();
  const source = loginSource(deps, email, info);
  const taken = await deps.throttle.take(passwordRules(deps, email, source, info.ip));
  if (!taken.allowed) {
    await recordAudit(deps, info, 'auth.login.failed', { details: { reason: 'throttled', email, source: source.kind } });
    throw Throttled(taken.retryAfter);
  }
  const user = await deps.users.verifyPassword(email, input.password);
  if (!user) {
    const known = await deps.users.getByEmail(email);
    await refuse(deps, info, known, 'invalid_password', { email });
    throw InvalidCredentials();
  }
  // The right password: this attempt was no guess, whatever the answer below.
  await deps.throttle.refund(taken.attempt);
  if (user.status !== 'active') {
    await refuse(deps, info, user, 'account_suspended', { email, status: user.status });
    throw AccountSuspended();
  }
  if (deps.config.requireVerifiedEmail && !user.emailVerifiedAt) {
    await refuse(deps, info, user, 'email_not_verified', { email });
    throw EmailNotVerified();
  }
  // Only after the right password: the answer must not tell strangers anything about the account.
  if (await passwordResetRequired(deps, user.id)) {
    await refuse(deps, info, user, 'password_reset_required', { email });
    throw PasswordResetRequired();
  }
  if (await deps.twoFactor.isEnabled(user.id)) {
    // Not "replace": two devices signing in at once each keep their own challenge.
    const challengeToken = await deps.oneTime.issue(user.id, 'login_challenge', FIXED_TTL.loginChallengeMs, { replace: false });
    return { kind: 'challenge', challengeToken, expiresIn: FIXED_TTL.loginChallengeMs / 1000 };
  }
  await deps.throttle.clear([throttleKeys.loginAccountSource(email, source)]);
  const signedIn = await startSession(deps, user, { twoFactor: false }, info);
  await succeed(deps, info, signedIn, null);
  return { kind: 'signed-in', signedIn, deviceToken: deviceTokenFor(deps, email, info) };
}

/** The second step: a TOTP code or a recovery code against the challenge from the first. */
export async function secondFactorStep(
  deps: AuthDeps,
  input: { challengeToken: string; code?: string | undefined; recoveryCode?: string | undefined },
  info: RequestInfo,
): Promise<OwnerSignedIn> {
  if ((input.code === undefined) === (input.recoveryCode === undefined)) throw CodeChoice();
  const ipRule = { key: throttleKeys.twoFactorIp(info.ip), max: deps.config.throttleMaxPerIp };
  const challenge = await deps.oneTime.peek(input.challengeToken, 'login_challenge');
  if (!challenge) {
    const taken = await deps.throttle.take([ipRule]);
    if (!taken.allowed) throw Throttled(taken.retryAfter);
    throw ChallengeInvalid();
  }
  const rules = [{ key: throttleKeys.twoFactorUser(challenge.userId), max: deps.config.throttleMaxPerAccount }, ipRule];
  const taken = await deps.throttle.take(rules);
  if (!taken.allowed) {
    await refuse(deps, info, { id: challenge.userId }, 'throttled', {}, true);
    throw Throttled(taken.retryAfter);
  }
  const method = input.code !== undefined ? 'totp' : 'recovery_code';
  const ok =
    input.code !== undefined
      ? await deps.twoFactor.verifyCode(challenge.userId, input.code)
      : await deps.twoFactor.useRecoveryCode(challenge.userId, input.recoveryCode!);
  if (!ok) {
    await deps.oneTime.recordAttempt(challenge.id, FIXED_TTL.challengeMaxAttempts);
    await refuse(
      deps,
      info,
      { id: challenge.userId },
      method === 'totp' ? 'invalid_2fa_code' : 'invalid_recovery_code',
      {},
      true,
    );
    throw TwoFactorCodeInvalid();
  }
  await deps.throttle.refund(taken.attempt);
  if (!(await deps.oneTime.consumeById(challenge.id))) throw ChallengeInvalid();
  const user = await deps.users.get(challenge.userId);
  if (!user || user.status !== 'active') throw AccountSuspended();
  if (await passwordResetRequired(deps, user.id)) throw PasswordResetRequired();
  await deps.throttle.clear([throttleKeys.loginAccountSource(user.email, loginSource(deps, user.email, info)), rules[0]!.key]);
  const signedIn = await startSession(deps, user, { twoFactor: true }, info);
  await succeed(deps, info, signedIn, method);
  return { signedIn, deviceToken: deviceTokenFor(deps, user.email, info) };
}

/** Rotate a refresh token. Reuse revokes the session (and is audited) before the error leaves. */
export async function refresh(deps: AuthDeps, refreshToken: string, info: RequestInfo): Promise<TokenSet> {
  let rotated;
  try {
    rotated = await deps.sessions.rotate(refreshToken);
  } catch (err) {
    const victim = reuseVictim(err);
    if (victim) {
      deps.logger.warn({ userId: victim.userId }, 'refresh token reused: session revoked');
      await recordAudit(deps, info, 'auth.refresh.reused', {
        actorId: victim.userId,
        target: { type: 'session', id: victim.sessionId },
      });
      await emitQuietly(deps, 'sessions.revoked', { userId: victim.userId, count: 1, reason: 'refresh_reused' }, info.requestId);
    }
    throw err;
  }
  const { session } = rotated;
  if (session.user.status !== 'active') {
    await deps.sessions.revoke(session.userId, session.id);
    throw SessionRevoked();
  }
  return {
    ...accessFor(deps, session.user, session.id),
    refreshToken: rotated.refreshToken,
    sessionId: session.id,
    user: session.user,
  };
}

/** End the caller's session. */
export async function logout(deps: AuthDeps, actor: { userId: string; sessionId: string }, info: RequestInfo): Promise<void> {
  const revoked = await deps.sessions.revoke(actor.userId, actor.sessionId);
  await recordAudit(deps, info, 'auth.logout', { actorId: actor.userId, target: { type: 'session', id: actor.sessionId } });
  if (revoked) await emitQuietly(deps, 'sessions.revoked', { userId: actor.userId, count: 1, reason: 'logout' }, info.requestId);
}
