/**
 * Errors with stable codes. Every package defines its codes in one `errors.ts`; callers and
 * tests compare `code`, never messages. The host renders any {@link HostplaneError} as
 * `{ "error": { "code", "message", "details"?, "requestId" } }` with its `statusCode`.
 */

/** An error with a stable code (`<AREA>_ERR_<DETAIL>`) and an HTTP status. */
export class HostplaneError extends Error {
  /** Stable machine-readable code, e.g. `WEBSITES_ERR_DOMAIN_TAKEN`. */
  readonly code: string;
  /** HTTP status the host answers with. */
  readonly statusCode: number;
  /** Extra data safe to show to the caller (field names, limits …). */
  readonly details?: unknown;

  constructor(code: string, message: string, statusCode = 500, details?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HostplaneError';
    this.code = code;
    this.statusCode = statusCode;
    if (details !== undefined) this.details = details;
  }
}

/** A factory made by {@link defineError}: call it to get an error, read `.code` to compare. */
export interface ErrorFactory<TArgs extends unknown[]> {
  (...args: TArgs): HostplaneError;
  /** The code every error from this factory carries. */
  readonly code: string;
  /** The HTTP status every error from this factory carries. */
  readonly statusCode: number;
  /** True when `err` came from this factory (compares codes). */
  is(err: unknown): err is HostplaneError;
}

const CODE = /^[A-Z][A-Z0-9]*_ERR_[A-Z0-9_]+$/;

/**
 * Define one error code.
 *
 * @example
 * ```ts
 * export const GreetingNotFound = defineError('HELLO_ERR_NOT_FOUND', 404,
 *   (name: string) => `no greeting for "${name}"`);
 * throw GreetingNotFound('ada');
 * ```
 */
export function defineError<TArgs extends unknown[] = []>(
  code: string,
  statusCode: number,
  message: string | ((...args: TArgs) => string),
  details?: (...args: TArgs) => unknown,
): ErrorFactory<TArgs> {
  if (!CODE.test(code)) throw new TypeError(`error code "${code}" must look like AREA_ERR_DETAIL`);
  const make = (...args: TArgs): HostplaneError =>
    new HostplaneError(
      code,
      typeof message === 'string' ? message : message(...args),
      statusCode,
      details ? details(...args) : undefined,
    );
  return Object.assign(make, {
    code,
    statusCode,
    is: (err: unknown): err is HostplaneError => isHostplaneError(err) && err.code === code,
  });
}

/** True for any error carrying a Hostplane code (also across package copies). */
export function isHostplaneError(err: unknown): err is HostplaneError {
  return (
    err instanceof HostplaneError ||
    (typeof err === 'object' &&
      err !== null &&
      typeof (err as { code?: unknown }).code === 'string' &&
      typeof (err as { statusCode?: unknown }).statusCode === 'number' &&
      (err as { name?: unknown }).name === 'HostplaneError')
  );
}

/** Errors every plugin may throw from a handler without defining its own. */
export const CommonErrors = {
  notFound: defineError('COMMON_ERR_NOT_FOUND', 404, (what: string) => `${what} not found`),
  forbidden: defineError('COMMON_ERR_FORBIDDEN', 403, 'You do not have permission to do this'),
  unauthenticated: defineError('COMMON_ERR_UNAUTHENTICATED', 401, 'Authentication required'),
  conflict: defineError('COMMON_ERR_CONFLICT', 409, (message: string) => message),
  badRequest: defineError(
    'COMMON_ERR_BAD_REQUEST',
    400,
    (message: string, _details?: unknown) => message,
    (_m, d) => d,
  ),
  vetoed: defineError('COMMON_ERR_VETOED', 409, (event: string, reason: string) => `${event} refused: ${reason}`),
} as const;
