/**
 * The processes file operations run in (site-files.ts): Node started as the site's system user.
 * Starting Node costs about 40 ms, a quarter of listing a 10,000-file folder, so a worker stays
 * for a few seconds after its operation and takes the site user's next one: a customer browsing
 * the file manager pays the start once. A worker serves one user only and one operation at a
 * time; an operation that finds none free starts its own (parallel requests never wait on each
 * other), and at most one free worker per user is kept.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { WORKER } from './site-file-worker.js';

export type Owner = { uid: number; gid: number } | null;

/** How long a free worker waits for its user's next operation. */
export const IDLE_MS = 5_000;

interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** The answer of the operation it runs, when it runs one. */
  pending?: { resolve: (line: string) => void; reject: (err: Error) => void };
  out: string;
  err: string;
  exited: boolean;
}

/** A free worker must not keep the host's process alive; a busy one does, until its answer. */
function hold(worker: Worker, busy: boolean): void {
  const { child } = worker;
  for (const stream of [child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref(): void; unref(): void }>) {
    if (busy) stream.ref();
    else stream.unref();
  }
  if (busy) child.ref();
  else child.unref();
}

export class FileWorkers {
  readonly #free = new Map<string, { worker: Worker; timer: NodeJS.Timeout }>();
  readonly #all = new Set<Worker>();

  constructor(private readonly idleMs = IDLE_MS) {}

  /** Run one request (a JSON text without newlines) as `owner`; the answer line, or an error if the worker died or took longer than `timeoutMs`. */
  async run(owner: Owner, request: string, timeoutMs: number): Promise<string> {
    const key = owner ? `${owner.uid}:${owner.gid}` : 'self';
    const parked = this.#free.get(key);
    if (parked) {
      this.#free.delete(key);
      clearTimeout(parked.timer);
    }
    const worker = parked && !parked.worker.exited ? parked.worker : this.#start(owner);
    hold(worker, true);
    const answer = await this.#ask(worker, request, timeoutMs);
    this.#park(key, worker);
    return answer;
  }

  /** For tests and diagnostics: the pids of the workers alive now, busy or free. */
  pids(): number[] {
    return [...this.#all].map((w) => w.child.pid ?? -1);
  }

  /** Stop every worker (the driver stops). */
  close(): void {
    for (const { timer } of this.#free.values()) clearTimeout(timer);
    this.#free.clear();
    for (const worker of this.#all) worker.child.kill('SIGKILL');
  }

  #start(owner: Owner): Worker {
    const child = spawn(process.execPath, ['-e', WORKER], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    const worker: Worker = { child, out: '', err: '', exited: false };
    this.#all.add(worker);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      worker.out += d;
      const end = worker.out.indexOf('\n');
      if (end < 0 || !worker.pending) return;
      const line = worker.out.slice(0, end);
      worker.out = worker.out.slice(end + 1);
      const { resolve } = worker.pending;
      worker.pending = undefined;
      resolve(line);
    });
    // Only the end is kept: it says why a worker died.
    child.stderr.setEncoding('utf8').on('data', (d: string) => (worker.err = (worker.err + d).slice(-4000)));
    const gone = (reason: string): void => {
      if (worker.exited) return;
      worker.exited = true;
      this.#all.delete(worker);
      const pending = worker.pending;
      worker.pending = undefined;
      pending?.reject(new Error(`file operation failed: ${worker.err.trim().split('\n').slice(-3).join(' ') || reason}`));
    };
    child.on('error', (err) => gone(err.message));
    child.on('close', () => gone('no answer'));
    return worker;
  }

  #ask(worker: Worker, request: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
      worker.pending = {
        resolve: (line) => (clearTimeout(timer), resolve(line)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      worker.child.stdin.write(request + '\n');
    });
  }

  #park(key: string, worker: Worker): void {
    if (worker.exited) return;
    if (this.#free.has(key)) {
      worker.child.stdin.end();
      return;
    }
    hold(worker, false);
    const timer = setTimeout(() => {
      if (this.#free.get(key)?.worker === worker) this.#free.delete(key);
      worker.child.stdin.end();
    }, this.idleMs);
    timer.unref();
    this.#free.set(key, { worker, timer });
  }
}
