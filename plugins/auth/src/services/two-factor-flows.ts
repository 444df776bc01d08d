/** 2FA management for a signed-in user: set up, enable, disable, new recovery codes. */
import {
  CodeChoice,
  PasswordIncorrect,
  Throttled,
  TwoFactorCodeInvalid,
  TwoFactorNotEnabled,
  TwoFactorSetupCodeInvalid,
  UserNotFound,
} from '../errors.js';
import { recordAudit, type AuthDeps, type RequestInfo } from './context.js';
import { throttleKeys, type Attempt } from './throttle.js';
import type { TotpSetup } from './two-factor.js';

function rules(deps: AuthDeps, userId: string, ip: string) {
  return [
    { key: throttleKeys.twoFactorUser(userId), max: deps.config.throttleMaxPerAccount },
    { key: throttleKeys.twoFactorIp(ip), max: deps.config.throttleMaxPerIp },
  ];
}

/**
 * Count an attempt against the user's and the IP's 2FA budget before any code is checked;
 * AUTH_ERR_THROTTLED when either is spent. The caller gives it back when the code was right.
 */
async function checkBudget(deps: AuthDeps, userId: string, info: RequestInfo): Promise<Attempt> {
  const taken = await deps.throttle.take(rules(deps, userId, info.ip));
  if (!taken.allowed) throw Throttled(taken.retryAfter);
  return taken.attempt;
}

/** End a failed attempt. Its events stay counted: checkBudget recorded them before the check. */
async function fail(_deps: AuthDeps, _userId: string, _info: RequestInfo, error: Error): Promise<never> {
  throw error;
}

export async function setupTwoFactor(deps: AuthDeps, userId: string): Promise<TotpSetup> {
  const user = await deps.users.get(userId);
  if (!user) throw UserNotFound(userId);
  return deps.twoFactor.beginSetup(user);
}

/** Confirm the pending secret with a code; answers the recovery codes (shown once). */
export async function enableTwoFactor(deps: AuthDeps, userId: string, code: string, info: RequestInfo): Promise<string[]> {
  const attempt = await checkBudget(deps, userId, info);
  const codes = await deps.twoFactor.enable(userId, code);
  if (!codes) return fail(deps, userId, info, TwoFactorSetupCodeInvalid());
  await recordAudit(deps, info, 'auth.2fa.enabled', { actorId: userId, target: { type: 'user', id: userId } });
  await deps.throttle.refund(attempt);
  return codes;
}

/** Turn 2FA off: needs the password and a current code (or a recovery code). */
export async function disableTwoFactor(
  deps: AuthDeps,
  userId: string,
  input: { password: string; code?: string | undefined; recoveryCode?: string | undefined },
  info: RequestInfo,
): Promise<void> {
  if ((input.code === undefined) === (input.recoveryCode === undefined)) throw CodeChoice();
  const user = await deps.users.get(userId);
  if (!user) throw UserNotFound(userId);
  if (!(await deps.twoFactor.isEnabled(userId))) throw TwoFactorNotEnabled();
  const attempt = await checkBudget(deps, userId, info);
  const verified = await deps.users.verifyPassword(user.email, input.password);
  if (!verified || verified.id !== user.id) return fail(deps, userId, info, PasswordIncorrect());
  const ok =
    input.code !== undefined
      ? await deps.twoFactor.verifyCode(userId, input.code)
      : await deps.twoFactor.useRecoveryCode(userId, input.recoveryCode!);
  if (!ok) return fail(deps, userId, info, TwoFactorCodeInvalid());
  await deps.throttle.refund(attempt);
  await deps.twoFactor.disable(userId);
  await recordAudit(deps, info, 'auth.2fa.disabled', { actorId: userId, target: { type: 'user', id: userId } });
}

/** Replace the recovery codes; needs a current TOTP code. */
export async function regenerateRecoveryCodes(
  deps: AuthDeps,
  userId: string,
  code: string,
  info: RequestInfo,
): Promise<string[]> {
  if (!(await deps.twoFactor.isEnabled(userId))) throw TwoFactorNotEnabled();
  const attempt = await checkBudget(deps, userId, info);
  if (!(await deps.twoFactor.verifyCode(userId, code))) return fail(deps, userId, info, TwoFactorCodeInvalid());
  await deps.throttle.refund(attempt);
  const codes = await deps.db.transaction((trx) => deps.twoFactor.replaceRecoveryCodes(userId, trx));
  await recordAudit(deps, info, 'auth.2fa.recovery-codes-regenerated', { actorId: userId, target: { type: 'user', id: userId } });
  return codes;
}
