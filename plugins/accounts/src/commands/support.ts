/**
 * What the accounts CLI commands share: option parsing with clear usage errors (exit 2), aligned
 * tables or `--json`, and finding a user by id or email. The commands act as the platform
 * (an operator at the console), through the same functions as the API.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandIO, PlatformUser } from '@hostplane/sdk';
import type { AccountsDeps } from '../common.js';
import { AccountsErrors } from '../errors.js';

/** A usage mistake: the command prints it with its usage line and exits 2. */
export class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed words: string options by name (the boolean ones are `json` and `archived`), and the rest. */
export interface Parsed {
  values: { [name: string]: string | undefined } & { json?: boolean; archived?: boolean };
  positionals: string[];
}

/** Parse `args` strictly; `--json` is always understood. */
export function parse(args: string[], options: Options): Parsed {
  try {
    const parsed = parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
    return parsed as unknown as Parsed;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A whole number from an option, within bounds. */
export function integer(name: string, raw: string | undefined, min = 0, max = 2_000_000_000): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** One of `allowed`, or a usage error naming them. */
export function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** The user named by id or email (deleted ones by id only), or ACCOUNTS_ERR_USER_NOT_FOUND. */
export async function findUser(deps: Pick<AccountsDeps, 'users'>, idOrEmail: string): Promise<PlatformUser> {
  const user = isUuid(idOrEmail) ? await deps.users.get(idOrEmail) : await deps.users.getByEmail(idOrEmail);
  if (!user) throw AccountsErrors.userNotFound(idOrEmail);
  return user;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

/** Rows as an aligned text table with upper-case headers; `(none)` when empty. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** One record as FIELD/VALUE lines. */
export function record(value: Record<string, unknown>): string {
  return table(
    Object.entries(value).map(([field, v]) => ({ field, value: v })),
    ['field', 'value'],
  );
}

/** Print as JSON, or rows as a table, or one record as fields. */
export function show(io: CommandIO, json: boolean | undefined, data: unknown, columns?: string[]): void {
  if (json) io.out(JSON.stringify(data, null, 2));
  else if (Array.isArray(data)) io.out(table(data as Array<Record<string, unknown>>, columns ?? []));
  else io.out(record(data as Record<string, unknown>));
}

/**
 * Run a command body; a {@link UsageError} prints the message and the usage line and exits 2.
 * Other errors (HostplaneErrors such as ACCOUNTS_ERR_…) go to the CLI, which prints the code.
 */
export async function withUsage(io: CommandIO, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\nusage: ${usage}`);
    return 2;
  }
}
