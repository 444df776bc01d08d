/**
 * CPU-heavy work off the event loop (DESIGN.md, "Jobs, schedules, tasks"): a piscina pool of
 * worker threads sized to the cores. A task is a module whose default export is a function of
 * plain data (no DB handles, no closures), so it is testable alone and could later run on
 * another node.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostplaneError, type Logger } from '@hostplane/sdk';
import type { Piscina } from 'piscina';
import { TaskErrors } from './errors.js';
import { isQualifiedName } from './names.js';
import type { TaskRequest, TaskResponse } from './task-worker.js';

/** Options of {@link TaskPool}. */
export interface TaskPoolOptions {
  /** Threads at most; default the number of cores. */
  maxThreads?: number;
  logger: Logger;
  /** Idle threads above the minimum exit after this long. Default 30 s. */
  idleTimeout?: number;
}

/** Options of one {@link TaskPool.run}. */
export interface TaskRunOptions {
  /** Abort a queued or running task (a running one ends its thread). */
  signal?: AbortSignal;
}

/**
 * The generic worker, beside this file with this file's extension: `.ts` when running from
 * sources (tap, tsx: the threads inherit `execArgv`, so they load the same TypeScript loader),
 * `.js` from dist.
 */
const WORKER_URL = new URL(`./task-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** The process's worker pool. Threads start on the first task. */
export class TaskPool {
  readonly #logger: Logger;
  readonly #maxThreads: number;
  readonly #idleTimeout: number;
  #tasks = new Map<string, string>();
  #pool: Piscina<TaskRequest, TaskResponse> | undefined;
  #destroyed = false;

  constructor(options: TaskPoolOptions) {
    const maxThreads = options.maxThreads ?? availableParallelism();
    if (!Number.isInteger(maxThreads) || maxThreads < 1) throw new TypeError('maxThreads must be a positive integer');
    this.#logger = options.logger;
    this.#maxThreads = maxThreads;
    this.#idleTimeout = options.idleTimeout ?? 30_000;
  }

  /** Threads at most. */
  get maxThreads(): number {
    return this.#maxThreads;
  }

  /** Replace the registered tasks: name (`<plugin>:<name>`) → module URL. */
  setTasks(tasks: ReadonlyMap<string, URL>): void {
    const next = new Map<string, string>();
    for (const [name, url] of tasks) {
      if (!isQualifiedName(name)) throw TaskErrors.invalidName(name);
      if (!(url instanceof URL)) throw new TypeError(`task "${name}": module must be a URL`);
      next.set(name, url.href);
    }
    this.#tasks = next;
  }

  /** True when task `name` is registered. */
  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /**
   * Run task `name` on a worker thread with `input` (structured-cloneable) and resolve with
   * its result. Unknown name: TASKS_ERR_UNKNOWN. A task that throws a HostplaneError rejects
   * with the same code, status and details; anything else rejects with TASKS_ERR_FAILED and
   * the task's message (the thread's error as `cause`).
   */
  async run(name: string, input: unknown, options: TaskRunOptions = {}): Promise<unknown> {
    if (this.#destroyed) throw TaskErrors.destroyed();
    const url = this.#tasks.get(name);
    if (url === undefined) throw TaskErrors.unknown(name);
    let response: TaskResponse;
    try {
      response = await (await this.#piscina()).run({ name, url, input }, options.signal ? { signal: options.signal } : {});
    } catch (err) {
      // The thread died, the input or result could not be cloned, or the run was aborted.
      const failed = TaskErrors.failed(name, err instanceof Error ? err.message : String(err));
      failed.cause = err;
      throw failed;
    }
    if (response.ok) return response.value;
    const { error } = response;
    const remote = Object.assign(new Error(error.message), { name: error.name, stack: error.stack });
    if (error.name === 'HostplaneError' && error.code !== undefined && error.statusCode !== undefined) {
      throw new HostplaneError(error.code, error.message, error.statusCode, error.details, { cause: remote });
    }
    const failed = TaskErrors.failed(name, error.message);
    failed.cause = remote;
    throw failed;
  }

  /** Stop every thread (running tasks are abandoned). Idempotent. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }

  async #piscina(): Promise<Piscina<TaskRequest, TaskResponse>> {
    if (!this.#pool) {
      // Imported on the first task: most boots run none, and the module load costs start-up time.
      const { Piscina: Pool } = await import('piscina');
      if (this.#pool) return this.#pool;
      this.#pool = new Pool<TaskRequest, TaskResponse>({
        filename: WORKER_URL.href,
        maxThreads: this.#maxThreads,
        minThreads: Math.min(this.#maxThreads, Math.max(1, Math.floor(this.#maxThreads / 2))),
        idleTimeout: this.#idleTimeout,
      });
      this.#pool.on('error', (err: unknown) => this.#logger.error({ err }, 'task worker thread failed'));
      this.#logger.debug({ maxThreads: this.#maxThreads, worker: WORKER_URL.href }, 'task pool started');
    }
    return this.#pool;
  }
}
