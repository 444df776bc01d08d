/** The root logger: structured JSON (pino) with secrets censored wherever they appear. */
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** What a censored value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Field names whose values are secrets, at any depth of a logged object. Compared after
 * lower-casing and dropping `-` and `_`, so `refresh_token`, `refreshToken` and `Refresh-Token`
 * all match. Secrets must never reach a log line (issue: "logs never contain passwords…").
 */
export const SECRET_LOG_KEYS: readonly string[] = [
  'password',
  'newpassword',
  'currentpassword',
  'passwordconfirmation',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'secret',
  'clientsecret',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
];

const SENSITIVE = new Set(SECRET_LOG_KEYS);

/** A logged `config` object (a plugin's) may hold secrets under any name: all its fields go. */
const CONFIG_KEY = 'config';

// Log objects reuse a handful of keys (method, url, statusCode …): remember the verdicts. Bounded,
// since keys of logged plain objects can come from request bodies.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 2000;

/** True when a field called `key` holds a secret. */
export function isSensitiveKey(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = SENSITIVE.has(key.toLowerCase().replace(/[-_]/g, ''));
    if (verdicts.size < MAX_VERDICTS) verdicts.set(key, verdict);
  }
  return verdict;
}

// Deep enough for any log object we write; a cycle or a deeper tree is cut rather than walked.
const MAX_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function censorAll(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config)) out[key] = REDACTED;
  return out;
}

/**
 * Copy `value` with every sensitive field censored. Only plain objects and arrays are walked:
 * class instances (requests, errors) go through their serializers, which call this again.
 * Returns `value` itself when nothing needed censoring, so the common case allocates nothing.
 *
 * A formatter rather than pino's `redact` paths: those cover only the depths they name, and
 * their wildcard paths cost every field of every line (and of every child's bindings) a
 * redaction pass of its own, which was the largest single cost of the HTTP gateway's lines.
 */
export function censor<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const next = censor(item, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    let next: unknown;
    if (item === undefined || item === null) next = item;
    else if (isSensitiveKey(key)) next = REDACTED;
    else if (key === CONFIG_KEY && isPlainObject(item)) next = censorAll(item);
    else next = censor(item, depth + 1);
    if (next !== item) (copy ??= { ...value })[key] = next;
  }
  return (copy ?? value) as T;
}

/** pino's error serializer, censored (an error may carry a `password` or a request `config`). */
export function serializeLoggedError(err: Error): Record<string, unknown> {
  // Spread: pino's serialized error has its own prototype, which `censor` would not walk.
  return censor({ ...stdSerializers.err(err) } as Record<string, unknown>);
}

/** The formatters that censor every line and every child's bindings. */
export const CENSORING_FORMATTERS = {
  log: <T extends object>(object: T): T => censor(object),
  bindings: <T extends object>(bindings: T): T => censor(bindings),
};

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  level?: string;
  /**
   * Where lines go; tests pass a stream to capture them. Default: stdout, written
   * asynchronously (pino's SonicBoom, `sync: false`), and flushed synchronously when the
   * process exits, so no line is lost on `process.exit()` or a crash.
   */
  destination?: DestinationStream;
}

/** Create the root logger the kernel, the host and every plugin (as children) share. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.HOSTPLANE_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeLoggedError },
    formatters: CENSORING_FORMATTERS,
  };
  return pino(config, options.destination ?? pino.destination({ dest: 1, sync: false }));
}

export type { Logger };
