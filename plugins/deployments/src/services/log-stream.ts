/**
 * A deployment's build log as server-sent events, while it runs. The job may run in another
 * process (a worker host): the row is the only shared place, and the runner writes the log to it
 * every second, so the stream reads the row and sends what is new. Each read asks PostgreSQL for
 * the part after what was sent (`substr` in characters, PostgreSQL's own measure), not the whole
 * log.
 *
 * Events: `snapshot` first (`text`: the whole log so far and the status: a reconnecting EventSource
 * starts over cleanly), then `append` (new text) and `status` (status, step, progress) as they
 * change, and `end` with the final status, after which the stream closes. A log that outgrew
 * `logLimitBytes` loses its start on each write, so offsets mean nothing: it is sent whole as a
 * new `snapshot` whenever it changed. A comment line every 15 s keeps proxies from closing an
 * idle stream.
 */
import type { Knex } from 'knex';
import type { DeployStatus } from '../store.js';

const DONE: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped']);

export interface LogState {
  status: DeployStatus;
  phase: string | null;
  progress: number;
  error: string | null;
}

interface Read extends LogState {
  /** Characters of the whole log. */
  n: number;
  truncated: boolean;
  md5: string | null;
  /** The log after `from` characters (or whole when `from` is 0). */
  text: string;
}

/** One SSE frame: each line of the JSON data is its own `data:` line (JSON has no raw newlines). */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface LogStreamOptions {
  db: Knex;
  /** `schema.deployments`. */
  table: string;
  deploymentId: string;
  pollMs?: number;
  heartbeatMs?: number;
  /** Give up after this long without an end (the client reconnects and starts over). */
  maxMs: number;
  sleep?: (ms: number) => Promise<void>;
}

async function read(o: LogStreamOptions, from: number, whole: boolean): Promise<Read | undefined> {
  const row = (await o.db
    .from(o.table)
    .where({ id: o.deploymentId })
    .first(
      'status',
      'phase',
      'progress',
      'error',
      'log_truncated as truncated',
      o.db.raw('length(log)::int as n'),
      o.db.raw('case when log_truncated then md5(log) end as md5'),
      whole ? 'log as text' : o.db.raw('substr(log, ?::int) as text', [from + 1]),
    )) as Read | undefined;
  return row;
}

const stateOf = (r: Read): LogState => ({ status: r.status, phase: r.phase, progress: Number(r.progress), error: r.error });
const sameState = (a: LogState, b: LogState) =>
  a.status === b.status && a.phase === b.phase && a.progress === b.progress && a.error === b.error;

/** The frames of one deployment's stream, until it ends (or `maxMs`). Stops when the consumer returns. */
export async function* logFrames(o: LogStreamOptions): AsyncGenerator<string> {
  const pollMs = o.pollMs ?? 500;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // EventSource waits this long before reconnecting after the stream closed without `end`.
  yield 'retry: 2000\n\n';
  const first = await read(o, 0, true);
  if (!first) return;
  let sent = first.n;
  let md5 = first.md5;
  let state = stateOf(first);
  yield frame('snapshot', { text: first.text, truncated: first.truncated, ...state });
  const started = Date.now();
  let quiet = Date.now();
  while (!DONE.has(state.status)) {
    if (Date.now() - started > o.maxMs) return;
    await sleep(pollMs);
    const now = await read(o, sent, false);
    if (!now) return;
    const next = stateOf(now);
    if (now.truncated) {
      if (now.md5 !== md5) {
        const whole = await read(o, 0, true);
        if (!whole) return;
        yield frame('snapshot', { text: whole.text, truncated: true, ...stateOf(whole) });
        quiet = Date.now();
      }
      md5 = now.md5;
      sent = now.n;
    } else if (now.n > sent) {
      yield frame('append', { text: now.text });
      sent = now.n;
      quiet = Date.now();
    } else if (now.n < sent) {
      // Started over (a retried job clears the log): the whole of it again.
      const whole = await read(o, 0, true);
      if (!whole) return;
      yield frame('snapshot', { text: whole.text, truncated: whole.truncated, ...stateOf(whole) });
      sent = whole.n;
      quiet = Date.now();
    }
    if (!sameState(next, state)) {
      state = next;
      yield frame(DONE.has(state.status) ? 'end' : 'status', state);
      quiet = Date.now();
    } else if (Date.now() - quiet >= heartbeatMs) {
      yield ': still running\n\n';
      quiet = Date.now();
    }
  }
  if (DONE.has(first.status)) yield frame('end', state);
}
