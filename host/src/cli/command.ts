/** What every CLI command receives, and helpers they share. */
import { createLogger, type Kernel, type Logger } from '@hostplane/core';
import type { HostConfig } from '../config.js';
import { openKernel } from '../boot.js';
import { logDestination } from '../log-format.js';
import { CliError, type CliIO } from './output.js';

/** Parsed input of one command. */
export interface CommandInput {
  args: string[];
  options: {
    json?: boolean | undefined;
    state?: string | undefined;
    name?: string | undefined;
    to?: string | undefined;
    limit?: string | undefined;
    email?: string | undefined;
    password?: string | undefined;
    plugin?: string | undefined;
    role?: string | undefined;
    parent?: string | undefined;
    force?: boolean | undefined;
    key?: string | undefined;
    out?: string | undefined;
    dir?: string | undefined;
  };
  config: HostConfig;
  io: CliIO;
}

/** A usage mistake: exit code 2. */
export function usage(message: string): CliError {
  return new CliError(message, 2);
}

/** Parse `--limit`. */
export function limitOption(raw: string | undefined, fallback = 50): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw usage(`--limit must be a whole number from 1 to 1000, got "${raw}"`);
  return value;
}

/** Run `fn` with a kernel in admin mode (starts no plugin), always stopping it. */
export async function withAdminKernel<T>(input: CommandInput, fn: (kernel: Kernel) => Promise<T>): Promise<T> {
  const kernel = await openKernel(input.config, { mode: 'admin', logger: warningsLogger(input.config) });
  try {
    return await fn(kernel);
  } finally {
    await kernel.stop();
  }
}

/**
 * The CLI speaks through its output; only warnings (a plugin package skipped …) reach stderr,
 * as human lines on a terminal. The level is `warn` unless HOSTPLANE_LOG_LEVEL says otherwise.
 */
function warningsLogger(config: HostConfig): Logger {
  const level = process.env.HOSTPLANE_LOG_LEVEL ? config.logLevel : 'warn';
  return createLogger({ level, destination: logDestination(process.stderr, config.logFormat) ?? process.stderr });
}
