import { Secret, Type, type Static } from '@hostplane/sdk';

/**
 * Config an admin changes with `hostplane plugins config set auth key=value`. The plugin restarts
 * with the new values. Throttle windows are sliding and shared by every host process (they live
 * in PostgreSQL).
 */
export const AuthConfig = Type.Object(
  {
    registrationEnabled: Type.Boolean({
      title: 'Open registration',
      default: true,
      description: 'Anyone may create a customer account',
    }),
    requireVerifiedEmail: Type.Boolean({
      title: 'Require a confirmed email',
      default: true,
      description: 'Refuse login until the email address is confirmed',
    }),
    accessTokenTtlSeconds: Type.Integer({
      title: 'Access token lifetime (seconds)',
      default: 900,
      minimum: 60,
      maximum: 86_400,
      description: 'Lifetime of a JWT access token',
    }),
    refreshTokenTtlDays: Type.Integer({
      title: 'Refresh token lifetime (days)',
      default: 7,
      minimum: 1,
      maximum: 90,
      description: 'Lifetime of a refresh token',
    }),
    sessionIdleDays: Type.Integer({
      title: 'Session idle limit (days)',
      default: 30,
      minimum: 1,
      maximum: 365,
      description: 'A session unused this long ends; each use pushes the end back (sliding)',
    }),
    jwtSecret: Secret(
      Type.String({
        title: 'Signing secret',
        default: '',
        maxLength: 512,
        description:
          'Signs access tokens and derives the key that encrypts TOTP secrets. Empty: 32 random bytes made on first ' +
          'start and kept in the plugin settings. Changing it signs everyone out and voids enrolled authenticator apps.',
      }),
    ),
    publicUrl: Type.String({
      title: 'Panel address',
      default: 'http://127.0.0.1:3000',
      pattern: '^https?://[^\\s]+$',
      description: 'Base URL of the panel, for links in mails',
    }),
    cookieSecure: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], {
      title: 'Secure session cookie',
      default: 'auto',
      description: "Secure flag of the session cookie; 'auto' = Secure unless NODE_ENV is development or test",
    }),
    issuer: Type.String({
      title: 'Name in authenticator apps',
      default: 'Hostplane',
      minLength: 1,
      maxLength: 60,
      description: 'Name shown in authenticator apps',
    }),
    throttleWindowMinutes: Type.Integer({
      title: 'Throttle window (minutes)',
      default: 15,
      minimum: 1,
      maximum: 1440,
      description: 'Sliding window of the throttles',
    }),
    throttleMaxPerAccount: Type.Integer({
      title: 'Failures per account and device',
      default: 5,
      minimum: 1,
      maximum: 1000,
      description:
        'Failed logins per account and source (device cookie, else address), and wrong 2FA codes per account, per window before 429',
    }),
    throttleAccountBackoffAfter: Type.Integer({
      title: 'Failures before slowing down',
      default: 10,
      minimum: 1,
      maximum: 1000,
      description:
        'Failed logins per account from sources without its device cookie, per window, after which each further try waits ' +
        'twice as long as the last (1 s, 2 s, 4 s … up to the window)',
    }),
    throttleMaxPerIp: Type.Integer({
      title: 'Failures per address',
      default: 20,
      minimum: 1,
      maximum: 100_000,
      description: 'Failed logins / 2FA codes / reset tokens per IP per window before 429',
    }),
    mailMaxPerAddress: Type.Integer({
      title: 'Mails per address',
      default: 3,
      minimum: 1,
      maximum: 1000,
      description: 'Verification / reset mails per address per window',
    }),
    mailMaxPerIp: Type.Integer({
      title: 'Mail requests per address',
      default: 20,
      minimum: 1,
      maximum: 100_000,
      description: 'Mail requests per IP per window',
    }),
    routeRateLimitPerMinute: Type.Integer({
      title: 'Sign-in requests per minute',
      default: 60,
      minimum: 1,
      maximum: 1_000_000,
      description: 'Host rate limit (per IP, in-process) of the public sign-in routes, on top of the throttles',
    }),
  },
  { additionalProperties: false },
);

export type AuthConfigValues = Static<typeof AuthConfig>;

/** Lifetimes that are fixed by design rather than configured. */
export const FIXED_TTL = {
  /** Email verification link. */
  verifyEmailMs: 24 * 3600_000,
  /** Password reset link. */
  resetPasswordMs: 30 * 60_000,
  /** Reset link mailed when an administrator requires a new password (read later than a self-service one). */
  forcedResetMs: 72 * 3600_000,
  /** Between the password step and the second factor of a 2FA login. */
  loginChallengeMs: 5 * 60_000,
  /** Wrong codes one login challenge accepts before it is spent. */
  challengeMaxAttempts: 5,
} as const;

/** Whether the session cookie carries `Secure`. */
export function cookieIsSecure(setting: AuthConfigValues['cookieSecure'], nodeEnv = process.env.NODE_ENV): boolean {
  if (setting === 'always') return true;
  if (setting === 'never') return false;
  return nodeEnv !== 'development' && nodeEnv !== 'test';
}
