/** How the CLI prints: aligned tables for people, `--json` for scripts, errors on stderr. */
import { isHostplaneError } from '@hostplane/sdk';

/** Where the CLI writes (tests capture it). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** An error the CLI reports in one line and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Render rows as an aligned text table with the given columns. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => cell(row[c]).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length))));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (v.length > (widths[i] ?? 0) ? `${v.slice(0, (widths[i] ?? 1) - 1)}…` : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Print rows as a table, or as JSON when `json` is set. */
export function print(io: CliIO, json: boolean, data: unknown, columns?: string[]): void {
  if (json || !columns || !Array.isArray(data)) io.out(JSON.stringify(data, null, json ? 2 : undefined));
  else io.out(table(data as Array<Record<string, unknown>>, columns));
}

/** One line for any error: the code when there is one. */
export function describeError(error: unknown): string {
  if (isHostplaneError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof CliError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
