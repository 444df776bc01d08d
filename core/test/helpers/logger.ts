/** A real pino logger whose lines are kept in memory, for tests that check what was logged. */
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';

/** One parsed log line. */
export type LogEntry = Record<string, unknown> & { level: number; msg?: string };

/** A debug-level logger and the entries it wrote. */
export function captureLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { logger: logger as unknown as Logger, entries };
}
