/**
 * How password attempts (sign-in, password change) are throttled: per (account, source) and per
 * IP. The source is the client's device cookie when it holds a valid one for the account (it
 * signed in before), else its address; sources without a device cookie also share one bucket
 * per account that slows down exponentially, so a guess spread over many addresses still
 * crawls. A stranger can thus lock out only their own address or device, never the owner's
 * device, and the owner's new address only slowly.
 */
import type { AuthDeps, RequestInfo } from './context.js';
import { deviceIdOf, issueDeviceToken } from './device-cookies.js';
import { throttleKeys, type LoginSource, type ThrottleRule } from './throttle.js';

/** The device that signed in to this account before, else the caller's address. */
export function loginSource(deps: AuthDeps, email: string, info: RequestInfo): LoginSource {
  const device = deviceIdOf(deps.keys.get().device, info.deviceToken, email);
  return device ? { kind: 'device', id: device } : { kind: 'ip', id: info.ip };
}

/**
 * The rules a password attempt on `email` is counted under. Shared by login and password
 * change, which guess the same secret.
 */
export function passwordRules(deps: AuthDeps, email: string, source: LoginSource, ip: string): ThrottleRule[] {
  const own = { key: throttleKeys.loginAccountSource(email, source), max: deps.config.throttleMaxPerAccount };
  // A device cookie proves an earlier sign-in to this very account, so neither a stranger
  // spraying from the same address nor one guessing from elsewhere may hold it back.
  if (source.kind === 'device') return [own];
  return [
    own,
    { key: throttleKeys.loginIp(ip), max: deps.config.throttleMaxPerIp },
    { key: throttleKeys.loginAccount(email), max: deps.config.throttleAccountBackoffAfter, backoff: true },
  ];
}

/** The device token to hand back after a sign-in: the one the client holds for this account, or a new one. */
export function deviceTokenFor(deps: AuthDeps, email: string, info: RequestInfo): string {
  const key = deps.keys.get().device;
  return deviceIdOf(key, info.deviceToken, email) ? info.deviceToken! : issueDeviceToken(key, email);
}
