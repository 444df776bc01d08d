/**
 * The text guard: every string an API request carries (path parameters, query, JSON body, and
 * the property names in it) must be text PostgreSQL can store. It refuses
 * - U+0000: a `text` or `jsonb` value cannot hold it ("invalid byte sequence for encoding UTF8:
 *   0x00", "unsupported Unicode escape sequence"), so it reached the database as a 500;
 * - unpaired UTF-16 surrogates (`"\ud800"` in JSON, `%ED%A0%80` decoded): not Unicode, and not
 *   valid UTF-8 once encoded (Node would silently store U+FFFD instead of what was sent).
 * One hook for every route under /v1, so no route (a plugin's included) can forget it; the
 * answer is the schema-validation error with the offending field's path.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { ValidationFailed, type ValidationIssue } from './errors.js';
import type { HostApp } from './types.js';

// A quick test first: almost every string has neither, and then the exact check is skipped.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why `text` cannot be stored, or null when it can. */
export function unstorableText(text: string): string | null {
  if (!SUSPECT.test(text)) return null;
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  // A surrogate in a valid pair is fine (emoji); only an unpaired one is not Unicode.
  return (text as string & { isWellFormed(): boolean }).isWellFormed() ? null : 'must be valid Unicode (no unpaired surrogate)';
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

// Deep enough for any schema we have; deeper input is refused by its schema or is opaque config.
const MAX_DEPTH = 32;

/** The first unstorable string in `value` (a parsed JSON value, query or params), or null. */
export function findUnstorable(value: unknown, path: string, depth = 0): ValidationIssue | null {
  if (typeof value === 'string') {
    const why = unstorableText(value);
    return why ? { field: path, message: why } : null;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const issue = findUnstorable(value[i], `${path}/${i}`, depth + 1);
      if (issue) return issue;
    }
    return null;
  }
  // Raw bodies (Buffers, streams) are not text a handler stores as such.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const badKey = unstorableText(key);
    // The name itself is not echoed back: it is the bad text.
    if (badKey) return { field: path, message: `has a property name that ${badKey}` };
    const issue = findUnstorable(item, `${path}/${escapePointer(key)}`, depth + 1);
    if (issue) return issue;
  }
  return null;
}

function check(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (!request.routeOptions.url?.startsWith('/v1')) return done();
  const issue =
    findUnstorable(request.params, '/params') ?? findUnstorable(request.query, '/query') ?? findUnstorable(request.body, '/body');
  if (issue) return done(ValidationFailed(issue.field, issue.message, [issue]));
  done();
}

/**
 * Install the guard as a preValidation hook: after the body is parsed, before the schema and
 * before any handler, and for every route of the app (registered with fastify-plugin).
 */
export const textGuardPlugin = fp(
  async (app: HostApp) => {
    app.addHook('preValidation', check);
  },
  { name: 'hostplane-text-guard', fastify: '5.x' },
);
