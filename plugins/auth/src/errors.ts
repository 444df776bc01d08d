/** Error codes of the auth plugin. Callers compare `code`, never messages. */
import { defineError } from '@hostplane/sdk';

export const InvalidCredentials = defineError('AUTH_ERR_INVALID_CREDENTIALS', 401, 'Email or password is incorrect');
export const EmailNotVerified = defineError('AUTH_ERR_EMAIL_NOT_VERIFIED', 403, 'Confirm your email address before signing in');
export const AccountSuspended = defineError('AUTH_ERR_ACCOUNT_SUSPENDED', 403, 'This account is suspended');
export const RegistrationDisabled = defineError('AUTH_ERR_REGISTRATION_DISABLED', 403, 'Registration is turned off');
export const RegistrationUnavailable = defineError(
  'AUTH_ERR_REGISTRATION_UNAVAILABLE',
  503,
  'Registration is not available yet: the platform has no administrator',
);

/** Password policy; `details.rule` says which rule. */
export const PasswordRejected = defineError(
  'AUTH_ERR_PASSWORD_POLICY',
  400,
  (message: string, _rule: 'min_length' | 'max_length' | 'common' | 'contains_email') => message,
  (_message, rule) => ({ rule }),
);
export const PasswordIncorrect = defineError('AUTH_ERR_PASSWORD_INCORRECT', 403, 'The current password is incorrect');

/** Throttled; `details.retryAfterSeconds` repeats the Retry-After header. */
export const Throttled = defineError(
  'AUTH_ERR_THROTTLED',
  429,
  (retryAfterSeconds: number) => `Too many attempts; try again in ${retryAfterSeconds} s`,
  (retryAfterSeconds) => ({ retryAfterSeconds }),
);

// Credentials presented to the authenticator.
export const TokenInvalid = defineError('AUTH_ERR_TOKEN_INVALID', 401, 'The access token is not valid');
export const TokenExpired = defineError('AUTH_ERR_TOKEN_EXPIRED', 401, 'The access token has expired');
export const SessionRevoked = defineError('AUTH_ERR_SESSION_REVOKED', 401, 'The session has ended; sign in again');
export const ApiTokenInvalid = defineError('AUTH_ERR_API_TOKEN_INVALID', 401, 'The API token is not valid, expired or revoked');

export const RefreshTokenInvalid = defineError('AUTH_ERR_REFRESH_INVALID', 401, 'The refresh token is not valid or has expired');
export const RefreshTokenReused = defineError(
  'AUTH_ERR_REFRESH_REUSED',
  401,
  'The refresh token was already used; the session has been revoked',
);
export const SessionRequired = defineError('AUTH_ERR_SESSION_REQUIRED', 403, 'This needs a signed-in session, not an API token');

export const VerificationInvalid = defineError(
  'AUTH_ERR_VERIFICATION_INVALID',
  400,
  'The link is not valid, expired or already used',
);
export const ResetTokenInvalid = defineError(
  'AUTH_ERR_RESET_INVALID',
  400,
  'The reset link is not valid, expired or already used',
);

// Two-factor authentication.
export const ChallengeInvalid = defineError(
  'AUTH_ERR_CHALLENGE_INVALID',
  401,
  'The sign-in step expired; enter your password again',
);
export const TwoFactorCodeInvalid = defineError('AUTH_ERR_2FA_CODE_INVALID', 401, 'The code is not valid or was already used');
/**
 * A wrong code while confirming a new authenticator: a mistake in a form, not a failed sign-in, so
 * 400 (a 401 would tell clients the session ended, and the panel would throw the setup away).
 */
export const TwoFactorSetupCodeInvalid = defineError(
  'AUTH_ERR_2FA_SETUP_CODE_INVALID',
  400,
  'That code does not match the new secret; check the app’s clock and enter the current code',
  () => ({ field: '/body/code' }),
);
export const TwoFactorAlreadyEnabled = defineError(
  'AUTH_ERR_2FA_ALREADY_ENABLED',
  409,
  'Two-factor authentication is already on',
);
export const TwoFactorNotEnabled = defineError('AUTH_ERR_2FA_NOT_ENABLED', 409, 'Two-factor authentication is not on');
export const TwoFactorNotSetUp = defineError('AUTH_ERR_2FA_NOT_SET_UP', 409, 'Start the setup first (POST /v1/auth/2fa/setup)');
export const CodeChoice = defineError('AUTH_ERR_CODE_CHOICE', 400, 'Send exactly one of "code" and "recoveryCode"');

// API tokens.
export const ScopeNotHeld = defineError(
  'AUTH_ERR_SCOPE_NOT_HELD',
  400,
  (scopes: string[]) => `You cannot grant what you do not hold: ${scopes.join(', ')}`,
  (scopes) => ({ scopes }),
);
export const ExpiryInvalid = defineError('AUTH_ERR_EXPIRY_INVALID', 400, 'expiresAt must be in the future');

export const SessionNotFound = defineError('AUTH_ERR_SESSION_NOT_FOUND', 404, 'No such session');
export const ApiTokenNotFound = defineError('AUTH_ERR_API_TOKEN_NOT_FOUND', 404, 'No such API token');
export const UserNotFound = defineError('AUTH_ERR_USER_NOT_FOUND', 404, (who: string) => `No user ${who}`);
export const ImpersonationRefused = defineError('AUTH_ERR_IMPERSONATION_REFUSED', 403, (reason: string) => reason);
export const NotImpersonating = defineError('AUTH_ERR_NOT_IMPERSONATING', 409, 'This session is not an impersonation');
export const NotYourself = defineError('AUTH_ERR_NOT_YOURSELF', 409, (action: string) => `You cannot ${action} yourself`);
/**
 * An administrator requires a new password: the right password alone no longer signs in. The
 * way forward is the reset link mailed to the account (or a fresh one from POST
 * /v1/auth/forgot-password); no token is handed out here, because the old password may be
 * exactly what leaked.
 */
export const PasswordResetRequired = defineError(
  'AUTH_ERR_PASSWORD_RESET_REQUIRED',
  403,
  'You must choose a new password: use the link mailed to you, or ask for a new one',
  () => ({ next: 'POST /v1/auth/forgot-password', reset: 'POST /v1/auth/reset-password' }),
);

/** The plugin has not finished starting (its keys are loaded in `start`). */
export const NotReady = defineError('AUTH_ERR_NOT_READY', 503, 'Sign-in is starting; try again in a moment');
export const SecretTooShort = defineError('AUTH_ERR_SECRET_TOO_SHORT', 500, 'jwtSecret must be empty or at least 32 characters');
