/**
 * A pino-shaped logger whose lines go to the kernel, which writes them with the plugin's
 * bindings into the host's log (redaction included). Fastify accepts it as its logger.
 */
import type { LogMessage } from './protocol.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function plain(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; statusCode?: unknown };
    return { type: e.name, message: e.message, stack: e.stack, code: e.code, statusCode: e.statusCode };
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => plain(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 100)) out[k] = plain(v, depth + 1);
  return out;
}

/** A logger bound to `bindings` that sends through `send`. */
export function createChildLogger(
  send: (message: LogMessage) => void,
  bindings: Record<string, unknown> = {},
  level = 'info',
): unknown {
  const threshold = (l: string) => LEVELS.indexOf(l as (typeof LEVELS)[number]);
  const logger: Record<string, unknown> = {
    level,
    child(more: Record<string, unknown>) {
      return createChildLogger(send, { ...bindings, ...more }, logger.level as string);
    },
    silent() {},
    bindings: () => bindings,
    isLevelEnabled: (l: string) => threshold(l) >= threshold(logger.level as string),
  };
  for (const l of LEVELS) {
    logger[l] = (objOrMsg: unknown, msg?: string) => {
      if (threshold(l) < threshold(logger.level as string)) return;
      const obj = typeof objOrMsg === 'object' && objOrMsg !== null ? (plain(objOrMsg) as Record<string, unknown>) : {};
      const text = typeof objOrMsg === 'string' ? objOrMsg : msg;
      const message: LogMessage = { t: 'log', level: l, obj: { ...bindings, ...obj } };
      if (text !== undefined) message.msg = String(text);
      send(message);
    };
  }
  return logger;
}
