/**
 * A real kernel for the gateway tests: `Kernel.boot` with inline plugins on a fresh PostgreSQL
 * database, stopped and dropped at teardown. Boot one per test file and share it; a test that
 * changes the kernel (enable, disable, config) puts back what it changed.
 */
import { tmpdir } from 'node:os';
import {
  Kernel,
  createTestDatabase,
  openDatabase,
  type InlinePlugin,
  type KernelOptions,
  type TestDatabase,
} from '@hostplane/core';
import type { Logger } from '@hostplane/sdk';
import { pino } from 'pino';

/** The part of a tap test the helpers need. */
export interface Teardownable {
  teardown(fn: () => unknown): void;
}

/** Options of {@link bootKernel}. */
export interface BootKernelOptions {
  /** Definitions made with `definePlugin`. */
  plugins?: Array<InlinePlugin['definition']>;
  /** Enabled at boot; default every plugin given. */
  enable?: string[];
  /** Stored config by plugin id. */
  config?: Record<string, Record<string, unknown>>;
  /** Run job workers (default false: most files have no jobs to run). */
  runWorkers?: boolean;
  /** Default: silent. */
  logger?: Logger;
  /** Plugin folders to discover (drop-ins), and a signing policy to check them with. */
  discovery?: KernelOptions['discovery'];
  signing?: KernelOptions['signing'];
}

/** A booted kernel and the database under it. */
export interface TestKernel {
  kernel: Kernel;
  db: TestDatabase;
}

/** Boot a kernel on a new database; stopped and the database dropped at `t`'s teardown. */
export async function bootKernel(t: Teardownable, options: BootKernelOptions = {}): Promise<TestKernel> {
  const db = await createTestDatabase('hostplane_gateway');
  const plugins = options.plugins ?? [];
  let kernel: Kernel;
  try {
    const database = await openDatabase({ url: db.url, dataDir: tmpdir(), poolMax: 4 });
    kernel = await Kernel.boot({
      database,
      logger: options.logger ?? pino({ level: 'silent' }),
      inlinePlugins: plugins.map((definition) => ({ definition })),
      enable: options.enable ?? plugins.map((p) => p.id),
      config: options.config ?? {},
      runWorkers: options.runWorkers ?? false,
      taskThreads: 1,
      ...(options.discovery ? { discovery: options.discovery } : {}),
      ...(options.signing ? { signing: options.signing } : {}),
    });
  } catch (err) {
    await db.drop();
    throw err;
  }
  t.teardown(async () => {
    await kernel.stop();
    await db.drop();
  });
  return { kernel, db };
}

/** Poll `check` until it returns something truthy (every 10 ms, for at most `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Wait until the kernel has marked `pluginId` failed (the host reports a plugin whose routes it
 * refused through `reportFailure`, which the kernel applies asynchronously) and return its error.
 */
export async function failureOf(kernel: Kernel, pluginId: string): Promise<{ phase: string; message: string }> {
  const status = await waitFor(`plugin "${pluginId}" to fail`, () => {
    const s = kernel.plugin(pluginId);
    return s?.state === 'failed' ? s : undefined;
  });
  if (!status.error) throw new Error(`plugin "${pluginId}" failed without an error`);
  return status.error;
}

/**
 * Count the kernel's change subscribers and reach their listeners. Install before `createHost`.
 * The real kernel calls listeners one change at a time; a test that must see changes arrive
 * while a rebuild runs calls a listener itself.
 */
export function watchSubscriptions(kernel: Kernel): {
  active(): number;
  /** Listeners still subscribed, oldest first. */
  listeners(): Array<() => void | Promise<void>>;
} {
  const subscribed = new Set<() => void | Promise<void>>();
  const subscribe = kernel.onChange.bind(kernel);
  kernel.onChange = (listener) => {
    subscribed.add(listener);
    const unsubscribe = subscribe(listener);
    return () => {
      subscribed.delete(listener);
      return unsubscribe();
    };
  };
  return { active: () => subscribed.size, listeners: () => [...subscribed] };
}
