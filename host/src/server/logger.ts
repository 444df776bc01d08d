/**
 * The gateway's structured JSON logger (pino). Redaction happens here, in formatters and
 * serializers, so no caller has to remember it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CENSORING_FORMATTERS, serializeLoggedError } from '@hostplane/core';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactUrl } from './redact.js';

/**
 * What `createHost({ logger })` accepts: pino options, a stream to write JSON lines to, or an
 * existing pino logger (the kernel's), of which the host makes a child.
 */
export type HostLoggerOption = LoggerOptions | DestinationStream | Logger;

function isLogger(option: HostLoggerOption): option is Logger {
  const o = option as { child?: unknown; info?: unknown };
  return typeof o.child === 'function' && typeof o.info === 'function';
}

function isStream(option: HostLoggerOption): option is DestinationStream {
  return !isLogger(option) && typeof (option as { write?: unknown }).write === 'function';
}

/** Request as it appears in a log line: no headers at all, and a censored query string. */
function serializeRequest(req: IncomingMessage | { method?: string; url?: string }): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url ?? '') };
}

function serializeResponse(res: ServerResponse | { statusCode?: number }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

const SERIALIZERS = { req: serializeRequest, res: serializeResponse, err: serializeLoggedError };
// The kernel's censoring (core/src/logger.ts), also when the host is given some other logger.
const FORMATTERS = CENSORING_FORMATTERS;

/**
 * Create the host's logger. With a stream, lines go there at level `info` (tests capture them);
 * with options, they are merged under the host's redaction, which callers cannot turn off;
 * with a logger, the host logs through a child of it.
 */
export function createHostLogger(option: HostLoggerOption | undefined): Logger {
  // A given logger keeps its destination, level and redact paths; the child adds ours.
  if (option !== undefined && isLogger(option)) {
    return option.child({ component: 'http' }, { serializers: SERIALIZERS, formatters: FORMATTERS });
  }
  const user: LoggerOptions = option === undefined || isStream(option) ? {} : option;
  const config: LoggerOptions = {
    level: process.env.HOSTPLANE_LOG_LEVEL ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    ...user,
    // No pino `redact` paths: the request serializer drops headers, and the censoring formatters
    // find authorization, cookie and set-cookie at any depth, where fixed paths would miss them.
    serializers: { ...user.serializers, ...SERIALIZERS },
    formatters: { ...user.formatters, ...FORMATTERS },
  };
  return option !== undefined && isStream(option) ? pino(config, option) : pino(config);
}
