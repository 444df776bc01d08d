/** The API's error shape, turned into what forms show: a message and errors per field. */

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

/** What an action returns when the API refused: shown next to the fields and as a toast. */
export interface FormErrors {
  message: string;
  fields: Record<string, string>;
}

/** AJV's wording, for people. */
export function humanize(message: string): string {
  const minLength = /^must NOT have fewer than (\d+) characters$/.exec(message);
  if (minLength) return minLength[1] === '1' ? 'is required' : `needs at least ${minLength[1]} characters`;
  const maxLength = /^must NOT have more than (\d+) characters$/.exec(message);
  if (maxLength) return `may have at most ${maxLength[1]} characters`;
  if (message.startsWith('must match pattern')) return 'is not in the expected format';
  if (message === 'must match format "email"') return 'must be an email address';
  if (message === 'must be integer') return 'must be a whole number';
  if (message === 'must be number') return 'must be a number';
  const minimum = /^must be >= (\S+)$/.exec(message);
  if (minimum) return `must be at least ${minimum[1]}`;
  const maximum = /^must be <= (\S+)$/.exec(message);
  if (maximum) return `must be at most ${maximum[1]}`;
  if (message === 'must be equal to one of the allowed values') return 'is not one of the choices';
  return message;
}

/** `/body/limits/websites` → `limits.websites`. */
function fieldOfPointer(pointer: string): string {
  return pointer
    .replace(/^\/(body|query|params)\/?/, '')
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

// Codes that are about one field though the API does not name it.
const FIELD_OF_CODE: Record<string, string> = {
  AUTH_ERR_PASSWORD_POLICY: 'password',
  AUTH_ERR_PASSWORD_INCORRECT: 'currentPassword',
  AUTH_ERR_2FA_CODE_INVALID: 'code',
  AUTH_ERR_SCOPE_NOT_HELD: 'scopes',
  AUTH_ERR_EXPIRY_INVALID: 'expiresAt',
};

/**
 * Errors for a form. `rename` maps API field names to the form's input names where they differ
 * (e.g. `password` → `newPassword` on the change-password form).
 */
export function formErrors(error: ApiError, rename: Record<string, string> = {}): FormErrors {
  const fields: Record<string, string> = {};
  // Schema errors list `{ field: '/body/x', message }`; plugin errors may name one `{ field, reason }`.
  const issues = Array.isArray(error.details)
    ? error.details
    : error.details && typeof error.details === 'object'
      ? [error.details]
      : [];
  for (const issue of issues as Array<{ field?: unknown; message?: unknown; reason?: unknown }>) {
    // A plugin error naming only its field (`{ field }`, `{ field, reason }`) is about that field.
    const message = typeof issue.message === 'string' ? issue.message : error.message;
    if (typeof issue.field !== 'string') continue;
    const name = fieldOfPointer(issue.field).replace(/\[\d+\]$/, '');
    fields[rename[name] ?? name] = humanize(message);
  }
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode) fields[rename[byCode] ?? byCode] ??= error.message;
  return { message: error.message, fields };
}

/** A message fit for a person, for an error with no field. */
export function describe(error: ApiError): string {
  return error.message || error.code;
}
