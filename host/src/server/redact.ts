/**
 * What never reaches a log line: credentials in headers, in fields of logged objects (at any
 * depth, not only where a fixed path predicted them), and in query strings (`?token=` links).
 */

/** What a censored value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Field names whose values are secrets, compared after lower-casing and dropping `-`/`_`, so
 * `refresh_token`, `refreshToken` and `Refresh-Token` all match.
 */
const SENSITIVE = new Set([
  'password',
  'newpassword',
  'currentpassword',
  'passwordconfirmation',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'secret',
  'clientsecret',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
]);

// Log objects reuse a handful of keys (method, url, statusCode …): remember the verdicts. Bounded,
// since keys of logged plain objects can come from request bodies.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 2000;

/** True when a field called `key` holds a secret. */
export function isSensitiveKey(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = SENSITIVE.has(key.toLowerCase().replace(/[-_]/g, ''));
    if (verdicts.size < MAX_VERDICTS) verdicts.set(key, verdict);
  }
  return verdict;
}

// Deep enough for any log object we write; a cycle or a deeper tree is cut rather than walked.
const MAX_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Copy `value` with every sensitive field censored. Only plain objects and arrays are walked:
 * class instances (requests, errors) go through their serializers, which call this again.
 * Returns `value` itself when nothing needed censoring, so the common case allocates nothing.
 */
export function censor<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const next = censor(item, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const next = isSensitiveKey(key) && item !== undefined && item !== null ? REDACTED : censor(item, depth + 1);
    if (next !== item) (copy ??= { ...value })[key] = next;
  }
  return (copy ?? value) as T;
}

/** `url` with the values of sensitive query parameters censored (`/reset?token=…`). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // A malformed escape is kept as written; it cannot name a sensitive field anyway.
      }
      return isSensitiveKey(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
