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

/** `/body/limits/websites` → `limits.websites`. */
function fieldOfPointer(pointer: string): string {
  return pointer
    .replace(/^\/(body|query|params)\/?/, '')
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
  if (Array.isArray(error.details)) {
    for (const issue of error.details as Array<{ field?: unknown; message?: unknown }>) {
      if (typeof issue.field !== 'string' || typeof issue.message !== 'string') continue;
      const name = fieldOfPointer(issue.field);
      fields[rename[name] ?? name] = issue.message;
    }
  }
  const byCode = FIELD_OF_CODE[error.code];
  if (byCode) fields[rename[byCode] ?? byCode] ??= error.message;
  return { message: error.message, fields };
}

/** A message fit for a person, for an error with no field. */
export function describe(error: ApiError): string {
  return error.message || error.code;
}
