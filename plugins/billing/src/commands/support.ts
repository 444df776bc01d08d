/** Option parsing with usage errors (exit 2) and plain tables, for the billing commands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandIO } from '@hostplane/sdk';

export class UsageError extends Error {}

export const PLATFORM = { userId: '00000000-0000-0000-0000-000000000000', role: 'super_admin' as const };
export const CLI_SOURCE = { actorId: null, ip: null, requestId: null };

export function parse(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true }) as never;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export async function withUsage(io: CommandIO, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\nusage: ${usage}`);
    return 2;
  }
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
