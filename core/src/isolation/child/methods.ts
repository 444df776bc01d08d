/**
 * Which methods of an object a call from the other process may reach: its own and inherited
 * functions, never those every object has (`constructor`, `toString`, `__defineGetter__` …).
 * Used both ways: the kernel calling an isolated plugin's service or extension, and an isolated
 * plugin calling another plugin's service through the kernel.
 */

const BUILT_IN = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The callable method `name` of `target`, or undefined. */
export function publicMethod(target: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (typeof target !== 'object' || target === null || BUILT_IN.has(name) || name.startsWith('#')) return undefined;
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (!descriptor) continue;
    // A getter is not run to find out: only plain function values are methods.
    return typeof descriptor.value === 'function' ? (descriptor.value as (...args: unknown[]) => unknown) : undefined;
  }
  return undefined;
}

/** Every method name {@link publicMethod} would find on `target`. */
export function methodNames(target: unknown): string[] {
  const names = new Set<string>();
  if (typeof target !== 'object' || target === null) return [];
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) if (publicMethod(target, name)) names.add(name);
  }
  return [...names].sort();
}

/**
 * The plain data an implementation carries besides its methods (a driver's `id`), copied once:
 * own enumerable properties whose values survive the channel unchanged.
 */
export function dataValues(target: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof target !== 'object' || target === null) return out;
  for (const [key, value] of Object.entries(target)) {
    if (typeof value === 'function') continue;
    try {
      out[key] = structuredClone(value);
    } catch {
      // A value the channel cannot carry (a socket, a class with private state) stays behind.
    }
  }
  return out;
}
