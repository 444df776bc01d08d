/** Small checks the services share. */
import type { HostplaneError } from '@hostplane/sdk';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical text form (what a `uuid` column accepts without error). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The page size of a list: `fallback` when absent, at most `max` (larger asks are capped), and
 * `invalid()` thrown for anything but a positive integer.
 */
export function resolveLimit(limit: unknown, fallback: number, max: number, invalid: (reason: string) => HostplaneError): number {
  if (limit === undefined || limit === null) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw invalid('limit must be a positive integer');
  return Math.min(limit, max);
}

/** A `Date` from a Date or an ISO string; undefined when it is not a valid time. */
export function toDate(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * JSON text for a `jsonb` column, or undefined when `value` has no JSON form (undefined,
 * functions, symbols, BigInt, cycles). Stringified here because pg would send a JS array as a
 * PostgreSQL array and a bare string as text, neither of which is JSON.
 */
export function toJsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** A plain object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
