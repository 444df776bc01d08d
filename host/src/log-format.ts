/**
 * How log lines look. JSON, one object a line, for machines (a file, a pipe, journald, a log
 * shipper); a short human line for a person watching a terminal. `auto` (the default) picks by
 * whether the stream is a TTY; `HOSTPLANE_LOG_FORMAT=json|pretty` decides instead. The pretty
 * form is made here from pino's own JSON line (no pino-pretty: one small function does).
 */
import type { DestinationStream } from 'pino';

export type LogFormatSetting = 'auto' | 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormatSetting[] = ['auto', 'json', 'pretty'];

/** The format for `stream` under `setting`. */
export function chooseLogFormat(setting: LogFormatSetting, stream: { isTTY?: boolean }): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return stream.isTTY === true ? 'pretty' : 'json';
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};

// Said by every line or by the message already; the rest of a line's fields are shown as k=v.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

interface LoggedError {
  type?: string;
  message?: string;
  code?: string;
  stack?: string;
}

/**
 * One JSON log line as a person reads it: `12:04:05 WARN  message key=value …`. An error is
 * shown by its code and message; its stack only at level error and above, where it is news.
 * A line that is not JSON is passed through as it is.
 */
export function prettyLine(json: string, colors = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const { name, color } = LEVELS[level] ?? { name: String(level), color: '0' };
  const paint = (code: string, text: string): string => (colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : new Date().toISOString().slice(11, 19);
  const fields = Object.entries(entry)
    .filter(([key, v]) => !HIDDEN.has(key) && v !== undefined)
    .map(([key, v]) => `${key}=${value(v)}`);
  const err = entry.err as LoggedError | undefined;
  if (err) fields.push(`err=${value([err.code ?? err.type, err.message].filter(Boolean).join(': '))}`);
  let line = `${paint('90', time)} ${paint(color, name.padEnd(5))} ${String(entry.msg ?? '')}`;
  if (fields.length > 0) line += ` ${paint('90', fields.join(' '))}`;
  if (err?.stack && level >= 50) line += `\n${err.stack.replace(/^/gm, '    ')}`;
  return `${line}\n`;
}

/**
 * Where a logger writes to reach `stream` with `setting`: undefined for JSON to stdout (the
 * logger's own fast asynchronous destination), the stream itself for JSON elsewhere, and a
 * pretty writer otherwise.
 */
export function logDestination(
  stream: NodeJS.WriteStream,
  setting: LogFormatSetting,
  env: NodeJS.ProcessEnv = process.env,
): DestinationStream | undefined {
  if (chooseLogFormat(setting, stream) === 'json') return stream === process.stdout ? undefined : stream;
  // https://no-color.org: any non-empty NO_COLOR turns colours off.
  const colors = stream.isTTY === true && !env.NO_COLOR;
  return { write: (line: string) => void stream.write(prettyLine(line, colors)) };
}
