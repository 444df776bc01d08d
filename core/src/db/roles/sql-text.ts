/**
 * Quoting for the statements that take no bind parameters (CREATE ROLE, GRANT, ALTER … OWNER):
 * identifiers and the password literal are spliced into text, so they are quoted here, once.
 */

/** Double-quote an identifier. */
export function ident(name: string): string {
  if (name.includes('\0')) throw new TypeError('an SQL identifier cannot contain NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Single-quote a string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function literal(value: string): string {
  if (value.includes('\0')) throw new TypeError('an SQL literal cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}
