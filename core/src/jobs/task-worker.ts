/**
 * The one module every worker-pool thread loads (piscina calls its default export per task).
 * It imports the task module by URL once per thread and calls that module's default export
 * with the task's plain-data input.
 *
 * Only Node built-ins here: the file is loaded inside worker threads from TypeScript sources
 * (tests) or from dist, and may be loaded through `require` by piscina first.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the pool sends for one task. */
export interface TaskRequest {
  /** `<plugin>:<name>`, for error messages. */
  name: string;
  /** URL (href) of the task module. */
  url: string;
  /** Structured-cloneable input. */
  input: unknown;
}

/** A thrown value reduced to cloneable data (worker threads cannot pass error subclasses). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Present when the task threw a HostplaneError (or anything with a code). */
  code?: string;
  statusCode?: number;
  details?: unknown;
}

/** What a thread answers: errors travel as data so codes and details survive the crossing. */
export type TaskResponse = { ok: true; value: unknown } | { ok: false; error: SerializedError };

type TaskFunction = (input: unknown) => unknown;

/** Loaded task functions by URL; a failed import is not cached, so a fixed module loads next time. */
const modules = new Map<string, Promise<TaskFunction>>();

function load(url: string, name: string): Promise<TaskFunction> {
  let loading = modules.get(url);
  if (!loading) {
    loading = importModule(url).then((mod) => {
      if (typeof mod.default !== 'function') {
        throw Object.assign(new Error(`task module ${url} of "${name}" has no default export function`), {
          name: 'HostplaneError',
          code: 'TASKS_ERR_INVALID_MODULE',
          statusCode: 500,
        });
      }
      return mod.default as TaskFunction;
    });
    modules.set(url, loading);
    loading.catch(() => modules.delete(url));
  }
  return loading;
}

/**
 * Import a task module. Under tsx on Node 20 (before 22.22), tsx registers its ESM hooks on the
 * main thread only, so a worker thread can `require` TypeScript (tsx's require hook is there)
 * but not `import` it; then load it through `require`. Production runs compiled `.js` and
 * never takes that path.
 */
async function importModule(url: string): Promise<{ default?: unknown }> {
  try {
    return (await import(url)) as { default?: unknown };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !url.startsWith('file:')) throw err;
    const path = fileURLToPath(url);
    return createRequire(path)(path) as { default?: unknown };
  }
}

function serialize(err: unknown): SerializedError {
  if (typeof err !== 'object' || err === null) return { name: 'Error', message: String(err) };
  const e = err as Partial<SerializedError>;
  const out: SerializedError = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
  if (typeof e.stack === 'string') out.stack = e.stack;
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (e.details !== undefined) {
    try {
      out.details = structuredClone(e.details);
    } catch {
      // Details that cannot cross a thread boundary are dropped, not fatal.
    }
  }
  return out;
}

/** Run one task; never throws (see {@link TaskResponse}). */
export default async function runTask(request: TaskRequest): Promise<TaskResponse> {
  try {
    const fn = await load(request.url, request.name);
    return { ok: true, value: await fn(request.input) };
  } catch (err) {
    return { ok: false, error: serialize(err) };
  }
}
