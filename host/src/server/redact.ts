/**
 * Credentials in query strings (`/reset?token=…` links) never reach a log line. Field names are
 * judged by the kernel's list (core/src/logger.ts), the one place that says what a secret is.
 */
import { REDACTED, isSensitiveKey } from '@hostplane/core';

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
