/** Recognising PostgreSQL errors by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html). */

/** SQLSTATE codes the kernel reacts to. */
export const PgCodes = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  invalidTextRepresentation: '22P02',
  untranslatableCharacter: '22P05',
} as const;

/** True when `err` is a PostgreSQL error with `code` (and, if given, on `constraint`). */
export function isPgError(err: unknown, code: string, constraint?: string): err is Error & { code: string; constraint?: string } {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown };
  return e.code === code && (constraint === undefined || e.constraint === constraint);
}
