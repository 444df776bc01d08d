/**
 * Values crossing the process boundary go through structured clone (Node's `advanced` IPC
 * serialization), which drops symbol keys. TypeBox marks its schemas with registered symbols
 * (`Symbol.for('TypeBox.Kind')`), and the kernel validates config with TypeBox: so symbol keys
 * made with `Symbol.for` travel as `@@sym:<key>` strings and are restored on the other side.
 * Functions are dropped (a schema or page is data).
 */
const PREFIX = '@@sym:';

/** Copy `value` with registered-symbol keys turned into strings; functions become undefined. */
export function encodeSymbols(value: unknown, seen = new WeakMap<object, unknown>()): unknown {
  if (typeof value === 'function') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(encodeSymbols(item, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Reflect.ownKeys(value)) {
    const item = encodeSymbols((value as Record<string | symbol, unknown>)[key], seen);
    if (item === undefined) continue;
    if (typeof key === 'symbol') {
      const name = Symbol.keyFor(key);
      if (name !== undefined) out[PREFIX + name] = item;
    } else {
      out[key] = item;
    }
  }
  return out;
}

/** Undo {@link encodeSymbols}. */
export function decodeSymbols<T = unknown>(value: unknown): T {
  if (typeof value !== 'object' || value === null) return value as T;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value as T;
  if (Array.isArray(value)) return value.map((item) => decodeSymbols(item)) as T;
  const out: Record<string | symbol, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith(PREFIX)) out[Symbol.for(key.slice(PREFIX.length))] = decodeSymbols(item);
    else out[key] = decodeSymbols(item);
  }
  return out as T;
}

/** An error as it crosses the boundary: what the error handler needs, never a stack. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  details?: unknown;
}

/** Flatten an error for the wire. */
export function toWireError(error: unknown): WireError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const e = error as { name?: unknown; message?: unknown; code?: unknown; statusCode?: unknown; details?: unknown };
  const out: WireError = { name: typeof e.name === 'string' ? e.name : 'Error', message: String(e.message ?? error) };
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (e.details !== undefined) {
    try {
      out.details = structuredClone(e.details);
    } catch {
      // Details that cannot cross (functions, handles) are left behind.
    }
  }
  return out;
}
