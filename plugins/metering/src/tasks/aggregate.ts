/**
 * Counting access-log lines (the SDK's AccessLogRecord, one JSON object per line) into hourly
 * buckets and per-path totals. Pure and synchronous: the parse task runs it on the worker pool
 * over a byte range of a file, and partial results from several ranges merge into one.
 */
import type { AccessLogRecord } from '@hostplane/sdk';

/** One hour of a site's traffic. */
export interface HourBucket {
  requests: number;
  bytesOut: number;
  bytesIn: number;
  /** Counts by status class: `2xx` … `5xx`, `other`. */
  status: Record<StatusClass, number>;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'other';

/** What a range of lines adds up to. Plain data: it crosses thread boundaries. */
export interface Aggregate {
  /** By hour start, ISO 8601 UTC (`2026-12-05T08:00:00.000Z`). */
  hours: Record<string, HourBucket>;
  /** By day (`2026-12-05`), then by path (query stripped): requests and bytes out. */
  paths: Record<string, Record<string, { requests: number; bytesOut: number }>>;
  /** Lines counted. */
  lines: number;
  /** Lines that were not a record (cut by a crash, written by hand): skipped, counted here. */
  rejected: number;
}

/** Longest path kept; longer ones are cut (and marked), so one request cannot bloat the table. */
export const MAX_PATH = 200;
/** Distinct paths kept per day in one aggregate; the rest count under `(other)`. */
export const MAX_PATHS_PER_DAY = 500;
export const OTHER_PATH = '(other)';

export function emptyAggregate(): Aggregate {
  return { hours: {}, paths: {}, lines: 0, rejected: 0 };
}

export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'other';
}

function emptyBucket(): HourBucket {
  return { requests: 0, bytesOut: 0, bytesIn: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 } };
}

/** The path of a request target: query and fragment dropped, cut at {@link MAX_PATH}. */
export function pathOf(target: string): string {
  let end = target.length;
  const q = target.indexOf('?');
  if (q >= 0) end = q;
  const h = target.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const path = target.slice(0, end) || '/';
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** A parsed line if it is a record with the fields counted, else null. */
export function parseRecord(line: string): AccessLogRecord | null {
  if (line.length < 2 || line.charCodeAt(0) !== 123 /* { */) return null;
  let r: Partial<AccessLogRecord>;
  try {
    r = JSON.parse(line) as Partial<AccessLogRecord>;
  } catch {
    return null;
  }
  if (typeof r !== 'object' || r === null) return null;
  if (typeof r.t !== 'string' || !isCount(r.s) || !isCount(r.o) || !isCount(r.i) || typeof r.u !== 'string') return null;
  return r as AccessLogRecord;
}

/** The last hour computed, by its key: a log's lines come in time order, so nearly every line hits. */
let lastKey = '';
let lastHour: string | null = null;

/** `2026-12-05T09:15:02+00:00` → the hour's start in UTC, or null when it is no time. */
export function hourOf(time: string): string | null {
  // Date, hour and offset decide the hour (cached only for whole-hour offsets, whose local hour is one UTC hour).
  const key = time.length === 25 ? `${time.slice(0, 13)}${time.slice(19)}` : '';
  if (key !== '' && key === lastKey) return lastHour;
  const ms = Date.parse(time);
  const hour = Number.isNaN(ms) ? null : new Date(ms - (ms % 3_600_000)).toISOString();
  if (key !== '' && hour !== null && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:00$/.test(time)) {
    lastKey = key;
    lastHour = hour;
  }
  return hour;
}

/** Add one line to `into`. */
export function addLine(into: Aggregate, line: string): void {
  const r = parseRecord(line);
  const hour = r ? hourOf(r.t) : null;
  if (!r || !hour) {
    if (line.trim() !== '') into.rejected += 1;
    return;
  }
  into.lines += 1;
  const bucket = (into.hours[hour] ??= emptyBucket());
  bucket.requests += 1;
  bucket.bytesOut += r.o;
  bucket.bytesIn += r.i;
  bucket.status[statusClass(r.s)] += 1;
  const day = hour.slice(0, 10);
  const paths = (into.paths[day] ??= {});
  let path = pathOf(r.u);
  if (!(path in paths) && Object.keys(paths).length >= MAX_PATHS_PER_DAY) path = OTHER_PATH;
  const p = (paths[path] ??= { requests: 0, bytesOut: 0 });
  p.requests += 1;
  p.bytesOut += r.o;
}

/** Merge `from` into `into` (both from ranges of the same files). */
export function merge(into: Aggregate, from: Aggregate): Aggregate {
  into.lines += from.lines;
  into.rejected += from.rejected;
  for (const [hour, b] of Object.entries(from.hours)) {
    const t = (into.hours[hour] ??= emptyBucket());
    t.requests += b.requests;
    t.bytesOut += b.bytesOut;
    t.bytesIn += b.bytesIn;
    for (const k of Object.keys(b.status) as StatusClass[]) t.status[k] += b.status[k];
  }
  for (const [day, paths] of Object.entries(from.paths)) {
    const t = (into.paths[day] ??= {});
    for (const [path, p] of Object.entries(paths)) {
      const key = path in t || Object.keys(t).length < MAX_PATHS_PER_DAY ? path : OTHER_PATH;
      const e = (t[key] ??= { requests: 0, bytesOut: 0 });
      e.requests += p.requests;
      e.bytesOut += p.bytesOut;
    }
  }
  return into;
}

/** The `n` busiest paths of a day's map, busiest first. */
export function topPaths(
  paths: Record<string, { requests: number; bytesOut: number }>,
  n: number,
): Array<{ path: string; requests: number; bytesOut: number }> {
  return Object.entries(paths)
    .map(([path, p]) => ({ path, ...p }))
    .sort((a, b) => b.requests - a.requests || b.bytesOut - a.bytesOut || (a.path < b.path ? -1 : 1))
    .slice(0, n);
}
