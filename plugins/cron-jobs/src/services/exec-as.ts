/**
 * Run one command as a site's user: `<shell> -c <command>` with the user's uid and own group
 * (Node drops root's supplementary groups when it changes uid), in the site's folder, with a
 * small fixed environment, no standard input, and a time limit after which the whole process
 * group is killed. Only the end of the output is kept, so a chatty job cannot fill memory.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface RunAs {
  shell: string;
  command: string;
  cwd: string;
  /** null: this process's own user (a host that is not root: development). */
  uid: number | null;
  gid: number | null;
  timeoutMs: number;
  outputLimit: number;
}

export interface RunResult {
  status: 'succeeded' | 'failed' | 'timed-out';
  exitCode: number;
  output: string;
  truncated: boolean;
  durationMs: number;
}

/** Keeps the last `limit` bytes of everything written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.limit * 2) this.compact();
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    if (all.length > this.limit) this.truncated = true;
    const kept = all.subarray(Math.max(0, all.length - this.limit));
    this.chunks = [kept];
    this.size = kept.length;
  }

  text(): string {
    this.compact();
    // A cut may split a UTF-8 sequence: the replacement character marks it; NUL bytes cannot go into PostgreSQL text.
    const text = Buffer.concat(this.chunks).toString('utf8');
    // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
    return text.replace(/\u0000/g, '\uFFFD');
  }
}

export function runAs(o: RunAs): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const tail = new Tail(o.outputLimit);
    const child = spawn(o.shell, ['-c', o.command], {
      cwd: o.cwd,
      ...(o.uid !== null ? { uid: o.uid } : {}),
      ...(o.gid !== null ? { gid: o.gid } : {}),
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: o.cwd, SHELL: o.shell, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the time limit kills what it started too.
      detached: true,
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, o.timeoutMs);
    child.stdout.on('data', (d: Buffer) => tail.push(d));
    child.stderr.on('data', (d: Buffer) => tail.push(d));
    const finish = (exitCode: number, note?: string) => {
      clearTimeout(timer);
      if (note) tail.push(Buffer.from(`\n[${note}]\n`));
      resolve({
        status: timedOut ? 'timed-out' : exitCode === 0 ? 'succeeded' : 'failed',
        exitCode,
        output: tail.text(),
        truncated: tail.truncated,
        durationMs: Date.now() - started,
      });
    };
    child.once('error', (err) => finish(127, `could not start: ${err.message}`));
    child.once('close', (code, signal) => {
      // As shells report it: 128 + the signal's number.
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      finish(exitCode, timedOut ? `killed after ${Math.round(o.timeoutMs / 1000)} s (time limit)` : undefined);
    });
  });
}
