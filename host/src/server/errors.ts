/**
 * Error codes of the HTTP gateway. Callers and tests compare `code`, never messages; every
 * response the gateway refuses carries one of these (or a plugin's / the kernel's own code).
 */
import { defineError } from '@hostplane/sdk';

/** A field of the request failed its schema; `details` lists `{ field, message }`. */
export const ValidationFailed = defineError(
  'HOST_ERR_VALIDATION',
  400,
  (field: string, message: string, _details: ValidationIssue[]) => `Invalid request: ${field} ${message}`,
  (_field, _message, details) => details,
);

/** One schema violation, with a JSON-pointer-like path such as `/body/name`. */
export interface ValidationIssue {
  field: string;
  message: string;
}

/** The body claimed to be JSON but is not. */
export const MalformedJson = defineError(
  'HOST_ERR_MALFORMED_JSON',
  400,
  (reason: string) => `The request body is not valid JSON (${reason})`,
);

/** The body is larger than the host's (or the route's) body limit. */
export const BodyTooLarge = defineError('HOST_ERR_BODY_TOO_LARGE', 413, 'The request body is too large');

/** No parser for the request's Content-Type. */
export const UnsupportedMediaType = defineError(
  'HOST_ERR_UNSUPPORTED_MEDIA_TYPE',
  415,
  (contentType: string) => `Unsupported content type "${contentType}"`,
);

/**
 * Any other request the framework or a library refused (bad URL, wrong Content-Length …). The
 * status of the original error is kept; 400 is only the default.
 */
export const BadRequest = defineError('HOST_ERR_BAD_REQUEST', 400, (message: string) => message);

/** A path parameter longer than the router accepts. */
export const UriTooLong = defineError('HOST_ERR_URI_TOO_LONG', 414, 'A path parameter is too long');

/** No route matches method and path. */
export const RouteNotFound = defineError(
  'HOST_ERR_NOT_FOUND',
  404,
  (method: string, path: string) => `No route ${method} ${path}`,
);

/** Too many requests from this IP or user; `Retry-After` says when to come back. */
export const RateLimited = defineError(
  'HOST_ERR_RATE_LIMITED',
  429,
  (after: string, _details: { limit: number; retryAfterSeconds: number }) => `Too many requests, retry in ${after}`,
  (_after, details) => details,
);

/** Something broke that the caller cannot fix; the log has the stack under the request id. */
export const InternalError = defineError('HOST_ERR_INTERNAL', 500, 'Internal server error');

/** The host is shutting down and takes no new requests. */
export const ShuttingDown = defineError('HOST_ERR_SHUTTING_DOWN', 503, 'The server is shutting down');

/** The kernel reported itself unhealthy or could not be asked. */
export const Unhealthy = defineError('HOST_ERR_UNHEALTHY', 503, (reason: string) => `Unhealthy: ${reason}`);

/**
 * A route states none of `permission`, `authenticated: true`, `public: true`. Raised while the
 * app is built, so a route cannot ship without an access rule.
 */
/** A cookie-authenticated request that changes something without the session's CSRF token. */
export const CsrfTokenInvalid = defineError(
  'HOST_ERR_CSRF',
  403,
  'This request needs the x-csrf-token header of your session (cookie sessions only)',
);

export const RouteWithoutAccessRule = defineError(
  'HOST_ERR_ROUTE_WITHOUT_ACCESS_RULE',
  500,
  (method: string, url: string) =>
    `route ${method} ${url} has no access rule: set config.permission, config.authenticated or config.public`,
);

/** A plugin's route prefix is not a plain absolute path. */
/**
 * A plugin route guarded by a permission the plugin does not define (nor the platform): a
 * typo would leave the route callable by nobody, and a foreign permission would let a plugin
 * borrow another's grant. Recorded against the plugin, which is not started.
 */
export const RoutePermissionNotOwn = defineError(
  'HOST_ERR_ROUTE_PERMISSION_NOT_OWN',
  500,
  (pluginId: string, method: string, url: string, permission: string) =>
    `plugin "${pluginId}" guards ${method} ${url} with permission "${permission}", which neither it nor the platform defines; define it in the plugin's rbac`,
);

export const InvalidRoutePrefix = defineError(
  'HOST_ERR_INVALID_ROUTE_PREFIX',
  500,
  (pluginId: string, prefix: string) => `plugin "${pluginId}" asked for route prefix "${prefix}"; use "/<segment>"`,
);
