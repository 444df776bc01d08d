/**
 * `startTestHost`: a real kernel and host on a fresh PostgreSQL database, plus a test-only
 * authenticator so tests can act as any role. `@hostplane/sdk/testing`'s `startTestHost` loads
 * this one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  Kernel,
  createLogger,
  createTestDatabase,
  listAudit,
  openDatabase,
  type AuditFilter,
  type AuditRecord,
  type InlinePlugin,
} from '@hostplane/core';
import { createHost } from '@hostplane/host';
import { definePlugin, extensionPoints, isDefinedPlugin, ROLES, type Actor, type EventName, type Role } from '@hostplane/sdk';
import type { TestHost as SdkTestHost, TestHostOptions as SdkTestHostOptions, TestResponse } from '@hostplane/sdk/testing';
import { drainJobs, type DrainOptions, type DrainResult } from './drain-jobs.js';
import { recordEvents, type EventRecorder } from './event-recorder.js';
import { createTestClock, type TestClock } from './test-clock.js';
import { createTestUsers, type TestUsers } from './test-users.js';

/** Options of {@link startTestHost} (declared in the SDK, so its `startTestHost` takes them too). */
export type TestHostOptions = SdkTestHostOptions;

/** A running test host with the testing kit's helpers. */
export interface TestHost extends SdkTestHost {
  /** The kernel itself (plugin states, enable/disable, jobs, scheduler, users). */
  readonly kernel: Kernel;
  /** Real users in the platform → reseller → customer → technical-user tree. */
  readonly users: TestUsers;
  /** The clock plugins read (`coreServices.clock`); moving it fires cron schedules. */
  readonly clock: TestClock;
  /** Audit-log entries, newest first (default 50, at most 500), filtered like `GET /v1/admin/audit`. */
  audit(filter?: AuditFilter): Promise<AuditRecord[]>;
  /** Start recording these events (as an `after` handler sees them). */
  recordEvents<E extends EventName>(...events: E[]): EventRecorder<E>;
  /**
   * Run jobs until none is ready (follow-up jobs included); rejects after `timeoutMs` (120 s)
   * naming the jobs still ready. Needs workers (`runWorkers` not false).
   */
  drainJobs(options?: DrainOptions): Promise<DrainResult>;
}

const TEST_SCHEME = 'Test ';

/** An authenticator that trusts `Authorization: Test <base64url JSON>`. Tests only. */
export const testAuthPlugin = definePlugin({
  id: 'test-auth',
  sdk: '^0.1.0',
  provides: ['authenticator'],
  setup(ctx) {
    ctx.extend(extensionPoints.authenticator, {
      async authenticate(request) {
        const header = request.headers.authorization;
        if (typeof header !== 'string' || !header.startsWith(TEST_SCHEME)) return null;
        const claims = JSON.parse(Buffer.from(header.slice(TEST_SCHEME.length), 'base64url').toString('utf8')) as {
          userId: string;
          role: Role;
          permissions: string[];
        };
        const actor: Actor = { userId: claims.userId, role: claims.role, permissions: new Set(claims.permissions) };
        return actor;
      },
    });
  },
});

/** Boot a kernel and host for a test. */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const testDb = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'hostplane-test-'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const inlinePlugins: InlinePlugin[] = [{ definition: testAuthPlugin }];
  const dirs: string[] = [];
  for (const plugin of options.plugins ?? []) {
    if (isDefinedPlugin(plugin)) inlinePlugins.push({ definition: plugin });
    else if ('definition' in plugin)
      inlinePlugins.push(
        plugin.version ? { definition: plugin.definition, version: plugin.version } : { definition: plugin.definition },
      );
    else dirs.push(plugin.dir);
  }
  let start: Date | undefined;
  if (options.clock !== undefined) {
    start = new Date(options.clock);
    if (Number.isNaN(start.getTime())) throw new RangeError(`startTestHost: clock "${String(options.clock)}" is not a time`);
  }
  const clock = createTestClock(start);
  const database = await openDatabase({ url: testDb.url, dataDir });
  let kernel: Kernel;
  try {
    // Drop-in folders hold one plugin package each; a test names the package folder itself.
    kernel = await Kernel.boot({
      database,
      logger,
      inlinePlugins,
      discovery: { dropInDirs: dirs.map((d) => join(d, '..')) },
      enable: ['test-auth', ...(options.enable ?? [])],
      config: options.config ?? {},
      runWorkers: options.runWorkers ?? true,
      taskThreads: 1,
      clock,
      schedules: options.schedules ?? 'manual',
      isolation: { dataDir: join(dataDir, 'plugin-data'), ...options.isolation },
    });
    clock.attach(kernel.scheduler);
  } catch (error) {
    await database.close().catch(() => undefined);
    await testDb.drop();
    throw error;
  }
  if (!options.enable) {
    for (const plugin of options.plugins ?? []) {
      const id = isDefinedPlugin(plugin) ? plugin.id : 'definition' in plugin ? plugin.definition.id : undefined;
      if (id) await kernel.enable(id).catch(() => undefined);
    }
  }
  const host = await createHost({ kernel, logger, rateLimit: { max: 100_000, timeWindow: '1 minute' } });
  let closed = false;
  const headersFor: TestHost['headersFor'] = (role, opts = {}) => {
    if (!ROLES.includes(role)) throw new Error(`unknown role "${role}"`);
    const permissions = opts.permissions ?? [...kernel.permissionsOf(role)];
    const token = Buffer.from(
      JSON.stringify({ userId: opts.userId ?? '00000000-0000-4000-8000-000000000001', role, permissions }),
    ).toString('base64url');
    return { authorization: `${TEST_SCHEME}${token}` };
  };
  const runWorkers = options.runWorkers ?? true;
  return {
    async inject(request) {
      const res = await host.inject({
        method: request.method as 'GET',
        url: request.url,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.payload !== undefined ? { payload: request.payload as string } : {}),
        ...(request.remoteAddress !== undefined ? { remoteAddress: request.remoteAddress } : {}),
      });
      const out: TestResponse = {
        statusCode: res.statusCode,
        headers: res.headers,
        body: res.body,
        rawBody: res.rawPayload,
        json: <T>() => JSON.parse(res.body) as T,
      };
      return out;
    },
    headersFor,
    kernel,
    users: createTestUsers(kernel.users, headersFor),
    clock,
    audit: (filter) => listAudit(kernel.knex, filter),
    recordEvents: (...events) => recordEvents(kernel.events, events),
    drainJobs(drainOptions) {
      if (!runWorkers)
        return Promise.reject(new Error('drainJobs needs job workers: start the test host without runWorkers: false'));
      return drainJobs(kernel, drainOptions);
    },
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    databaseUrl: testDb.url,
    async close() {
      if (closed) return;
      closed = true;
      await host.close();
      await kernel.stop();
      await testDb.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
