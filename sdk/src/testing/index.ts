/**
 * `@hostplane/sdk/testing`: boot a real kernel and host with your plugin on a throwaway
 * PostgreSQL database in one call, plus in-memory stand-ins for platform services when a unit
 * test needs no database at all.
 *
 * @example
 * ```ts
 * import t from 'tap';
 * import { startTestHost } from '@hostplane/sdk/testing';
 * import hello from '../src/index.js';
 *
 * const host = await startTestHost({ plugins: [hello] });
 * t.teardown(() => host.close());
 * const res = await host.inject({ method: 'GET', url: '/v1/hello', headers: host.headersFor('customer') });
 * t.equal(res.statusCode, 200);
 * ```
 */
import type { Role } from '../http.js';
import type { DefinedPlugin } from '../plugin.js';
import type { ServiceRef } from '../service-ref.js';
import type { TObject } from '@sinclair/typebox';

export * from './mock-services.js';

/** A plugin to load: a definition object, or a folder holding a plugin package. */
export type TestPlugin =
  | DefinedPlugin<TObject, Record<string, ServiceRef<unknown>>>
  | { dir: string }
  | { definition: DefinedPlugin<TObject, Record<string, ServiceRef<unknown>>>; version?: string };

/** Options of {@link startTestHost}. */
export interface TestHostOptions {
  plugins?: TestPlugin[];
  /** Ids to enable at boot; default: every plugin given. */
  enable?: string[];
  /** Config per plugin id. */
  config?: Record<string, Record<string, unknown>>;
  /** Run job workers and schedules (default true). */
  runWorkers?: boolean;
  /**
   * Freeze the clock plugins read at this time (it moves only with `host.clock.advance/set` of
   * `@hostplane/testing`). Default: wall time plus what the test advanced.
   */
  clock?: Date | string;
  /**
   * `manual` (default): cron schedules fire only when the test moves the clock. `cron`: they also
   * fire by wall time, as in production (for a test of that very behaviour).
   */
  schedules?: 'manual' | 'cron';
  /**
   * How plugins given as folders run. Third-party plugins run in their own process by default;
   * `plugins: { hello: 'in-process' }` runs one inside the test's process instead, so a suite
   * can check both. The other fields tune the watchdog for tests (milliseconds, MiB).
   */
  isolation?: {
    plugins?: Record<string, 'process' | 'in-process'>;
    runAs?: 'plugin-user' | 'host-user';
    memoryMb?: number;
    rssMb?: number;
    heartbeatMs?: number;
    heartbeatTimeoutMs?: number;
    routeTimeoutMs?: number;
    backoff?: { initialMs?: number; maxMs?: number };
  };
}

/** An injected HTTP response. */
export interface TestResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The body's bytes, for binary answers (a PDF download). */
  rawBody: Buffer;
  json<T = unknown>(): T;
}

/** A running test host. */
export interface TestHost {
  /**
   * Send a request without a socket (Fastify inject). `remoteAddress` (default 127.0.0.1) is
   * the caller's address as the host sees it, for tests of per-address limits.
   */
  inject(request: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: unknown;
    remoteAddress?: string;
  }): Promise<TestResponse>;
  /**
   * Headers that authenticate as a made-up user with `role` (and optionally only some
   * permissions). The test host installs a test-only authenticator for these.
   */
  headersFor(role: Role, options?: { userId?: string; permissions?: string[] }): Record<string, string>;
  /** The kernel (plugin states, enable/disable, jobs). */
  readonly kernel: {
    enable(id: string): Promise<unknown>;
    disable(id: string): Promise<unknown>;
    plugin(id: string): { state: string; error: { phase: string; message: string } | null } | undefined;
  };
  /** Log lines written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Connection string of the throwaway database. */
  readonly databaseUrl: string;
  /** Stop everything and drop the database. */
  close(): Promise<void>;
}

/**
 * Boot a kernel + host for a test. Needs PostgreSQL (see `HOSTPLANE_TEST_DATABASE_URL`) and the
 * `@hostplane/testing` package, which holds the implementation and a richer host (users, audit,
 * events, clock, jobs): import `startTestHost` from there in new tests.
 */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  // Imported at run time: the testing kit depends on the SDK (through core and host), not the
  // other way round, and a plugin that only uses the mocks need not install it.
  const specifier = '@hostplane/testing';
  let mod: { startTestHost(o: TestHostOptions): Promise<TestHost> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(specifier)) {
      throw new Error('startTestHost needs the testing kit: npm install --save-dev @hostplane/testing', { cause: error });
    }
    throw error;
  }
  return mod.startTestHost(options);
}
