/**
 * A plugin running in its own process, seen by the kernel as an ordinary definition: `setup`
 * starts the process and replays what the plugin registered there as stand-ins (routes that
 * forward, event handlers, jobs and commands that call back), `start` and `stop` run the
 * plugin's own hooks in the process. The lifecycle, the engines and the gateway need not know.
 * A process that dies is started again after a growing delay and the plugin shows `degraded`
 * with the reason; the host keeps serving everything else meanwhile.
 */
import { rm } from 'node:fs/promises';
import {
  coreServices,
  createServiceRef,
  definePlugin,
  type CommandIO,
  type JobContext,
  type Logger,
  type RuntimeContext,
  type ServiceRef,
  type AnyMailTemplate,
  type SetupContext,
  type StopContext,
  type TObject,
} from '@hostplane/sdk';
import type { MigrationAction } from '../db/migration-runner.js';
import type { DiscoveredPlugin } from '../registry/discover.js';
import { checkDefinitionAgainstManifest, resolveEntry, type AnyPlugin } from '../registry/load-definition.js';
import { decodeSymbols } from './child/codec.js';
import { publicMethod } from './child/methods.js';
import type { CallHandler } from './child/peer.js';
import type { InitParams, MailRenderParams, PluginDescription, RegistrationsDescriptor, WireMessage } from './child/protocol.js';
import { IsolationErrors } from './errors.js';
import type { ResolvedIsolationOptions } from './options.js';
import { planProcess } from './process-plan.js';
import { ownTemplate, remoteMailTemplates } from './remote-mails.js';
import { SocketPools, loadUndici } from './socket-pools.js';
import { replayRegistrations } from './stand-ins.js';
import { Supervisor } from './supervisor.js';

/** Marks a definition whose code runs in its own process. */
export const ISOLATED = Symbol.for('hostplane.isolated');

/** What the kernel gives every isolated plugin. */
export interface IsolationHost {
  options: ResolvedIsolationOptions;
  logger: Logger;
  /** Time limit of starting a process and importing the plugin in it. */
  loadMs: number;
  /**
   * How long the process that described the plugin stays up to be set up without a second
   * start (0: end it at once, as the CLI does, which must not wait on it).
   */
  keepWarmMs: number;
}

type AnyContext = SetupContext<Record<string, unknown>, Record<string, unknown>>;
type AnyRuntime = RuntimeContext<Record<string, unknown>, Record<string, unknown>>;

const SERVICE_REFS = new Map<string, ServiceRef<unknown>>(
  Object.values(coreServices).map((ref) => [ref.id, ref as ServiceRef<unknown>]),
);

/** The session of an isolated plugin: at most one process at a time. */
export class IsolatedPlugin {
  #supervisor: Supervisor | undefined;
  #pools = new SocketPools();
  #setupCtx: AnyContext | undefined;
  #runtime: AnyRuntime | undefined;
  #config: Record<string, unknown> = {};
  #shape: string | undefined;
  #socket: string | undefined;
  #started = false;
  #ended = true;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #upSince = 0;
  #downReason = 'its process is not running';
  #warmTimer: NodeJS.Timeout | undefined;
  #prepared = false;
  #spawnedAt = 0;
  readonly #jobs = new Map<string, JobContext>();
  readonly #io = new Map<number, CommandIO>();

  constructor(
    readonly discovered: DiscoveredPlugin,
    readonly host: IsolationHost,
  ) {}

  /** What the plugin's process said about it when loaded. */
  description: PluginDescription = {
    id: '',
    sdk: '',
    permissions: [],
    requires: {},
    provides: [],
    rbac: {},
    limits: [],
    config: null,
    migrations: null,
    mails: [],
  };

  /** Stand-ins for its mail templates, rendered in its process (remote-mails.ts). */
  mails: readonly AnyMailTemplate[] = [];

  get id(): string {
    return this.discovered.manifest.id;
  }

  /** Process id of the plugin's process, while it runs. */
  get pid(): number | undefined {
    return this.#supervisor?.pid;
  }

  /** Times the process was started again after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Start a process and load the plugin in it. */
  async #spawn(): Promise<PluginDescription> {
    const { options, logger } = this.host;
    const capabilities = new Set(this.discovered.manifest.permissions ?? []);
    const plan = await planProcess({ pluginId: this.id, pluginDir: this.discovered.dir, capabilities, options, logger });
    const supervisor = new Supervisor({
      pluginId: this.id,
      runner: plan.runner,
      execArgv: plan.execArgv,
      cwd: plan.dataDir,
      ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
      logger,
      heartbeatMs: options.heartbeatMs,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs,
      preload: [...(capabilities.has('http:routes') ? ['fastify'] : []), ...(capabilities.has('db') ? ['knex'] : [])],
      rssBytes: options.rssMb * 1048576,
      handler: this.#handle,
      onNotice: (message) => this.#notice(message),
      onDeath: (reason) => this.#died(reason),
    });
    this.#supervisor = supervisor;
    this.#ended = false;
    this.#spawnedAt = performance.now();
    supervisor.spawn();
    const init: InitParams = {
      pluginId: this.id,
      version: this.discovered.manifest.version,
      // Never the TypeScript sources: the child has no loader for them.
      entry: resolveEntry(this.discovered, { source: false }),
      capabilities: [...capabilities],
      dataDir: plan.dataDir,
    };
    if (capabilities.has('db')) {
      const { url } = await options.pluginConnection(this.id);
      init.database = { url, pool: options.poolSize };
    }
    return supervisor.call<PluginDescription>('load', init, this.host.loadMs);
  }

  /** Load the plugin in a short-lived process and describe it (for listing, config, checks). */
  async describe(): Promise<PluginDescription> {
    let description: PluginDescription;
    try {
      description = this.description = await this.#spawn();
    } catch (error) {
      await this.end();
      throw error;
    }
    if (this.host.keepWarmMs <= 0) {
      await this.end();
    } else {
      // Enabling usually follows loading at once: the same process is then set up.
      this.#warmTimer = setTimeout(() => void this.end(), this.host.keepWarmMs);
      this.#warmTimer.unref();
    }
    return description;
  }

  // ---- what the lifecycle calls through the definition ----

  /** Have a process with the plugin loaded, ready for `setup`: the warm one, else a new one. */
  async prepare(): Promise<void> {
    const warm = this.#warmTimer !== undefined && this.#supervisor?.up === true;
    clearTimeout(this.#warmTimer);
    this.#warmTimer = undefined;
    this.#prepared = true;
    if (warm) return;
    await this.end();
    this.#prepared = true;
    await this.#spawn();
  }

  async setup(ctx: AnyContext): Promise<void> {
    const warm = this.#prepared && this.#supervisor?.up === true;
    if (!warm) await this.prepare();
    this.#prepared = false;
    this.#setupCtx = ctx;
    this.#config = ctx.config;
    this.#restarts = 0;
    const registrations = await this.#setupInChild();
    this.host.logger.info(
      { plugin: this.id, pid: this.pid, readyMs: Math.round(performance.now() - this.#spawnedAt) },
      'isolated plugin ready',
    );
    this.#shape = shapeOf(registrations);
    replayRegistrations(ctx, registrations, {
      pluginId: this.id,
      route: {
        pluginId: this.id,
        socket: () => (this.#supervisor?.up ? this.#socket : undefined),
        pools: this.#pools,
        timeoutMs: this.host.options.routeTimeoutMs,
        downReason: () => this.#downReason,
      },
      call: (method, params, timeoutMs) => this.#call(method, params, timeoutMs),
      jobs: this.#jobs,
      commandIO: this.#io,
    });
    this.#upSince = Date.now();
  }

  /**
   * Run the plugin's migrations in its process (see registry/migrate-definition.ts). Aborting
   * `signal` cancels the statement running there; its transaction rolls back.
   */
  async migrate(action: MigrationAction, signal?: AbortSignal): Promise<string[]> {
    if (this.#supervisor?.up !== true) await this.prepare();
    const cancel = (): void => void this.#call('migrate.cancel', null, 5_000).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      // Its own role's connection, also for a plugin without the `db` capability (as in-process).
      const { url } = await this.host.options.pluginConnection(this.id);
      return await this.#call<string[]>('migrate', { action, database: { url } }, 0);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  async start(ctx: AnyRuntime): Promise<void> {
    this.#runtime = ctx;
    await this.#call('start', null, 0);
    this.#started = true;
  }

  async stop(ctx: StopContext<Record<string, unknown>, Record<string, unknown>>): Promise<void> {
    this.#started = false;
    try {
      if (this.#supervisor?.up) await this.#call('stop', { reason: ctx.reason }, 0);
    } finally {
      await this.end();
    }
  }

  /** End the process (no restart). Safe to call more than once. */
  async end(): Promise<void> {
    this.#ended = true;
    this.#prepared = false;
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#warmTimer);
    this.#warmTimer = undefined;
    const supervisor = this.#supervisor;
    this.#supervisor = undefined;
    await supervisor?.end();
    this.#removeSocket();
  }

  /** Template content rendered by the running process; bounded by the caller (remote-mails.ts). */
  renderMail(params: MailRenderParams, timeoutMs: number): Promise<unknown> {
    return this.#call('mail.render', params, timeoutMs);
  }

  // ---- process ----

  /** A killed process leaves its socket file behind. */
  #removeSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    this.#pools.drop(socket);
    void rm(socket, { force: true }).catch(() => undefined);
  }

  /** `timeoutMs` 0: the lifecycle's setup limit bounds the call; a restart sets its own. */
  async #setupInChild(timeoutMs = 0): Promise<RegistrationsDescriptor> {
    const registrations = await this.#call<RegistrationsDescriptor>('setup', { config: this.#config }, timeoutMs);
    this.#socket = registrations.socket ?? undefined;
    // The gateway's client for the routes loads now rather than on the first request.
    if (this.#socket) void loadUndici().catch(() => undefined);
    return registrations;
  }

  #call<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    const supervisor = this.#supervisor;
    if (!supervisor) return Promise.reject(IsolationErrors.unavailable(this.id, this.#downReason));
    return supervisor.call<T>(method, params, timeoutMs);
  }

  #died(reason: string): void {
    this.#removeSocket();
    this.#downReason = reason;
    if (this.#ended) return;
    this.#restarts += 1;
    // A process that ran a while before dying starts the delays over.
    if (Date.now() - this.#upSince > 60_000) this.#restarts = 1;
    const { initialMs, maxMs } = this.host.options.backoff;
    const delay = Math.min(maxMs, initialMs * 2 ** (this.#restarts - 1));
    this.host.logger.warn({ plugin: this.id, reason, restartInMs: delay }, 'isolated plugin died; restarting');
    this.#reportHealth('degraded', `restarting after ${reason} (restart ${this.#restarts}, in ${delay} ms)`);
    this.#restartTimer = setTimeout(() => void this.#revive(reason), delay);
    this.#restartTimer.unref();
  }

  async #revive(previous: string): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#spawn();
      const registrations = await this.#setupInChild(this.host.loadMs);
      if (shapeOf(registrations) !== this.#shape) {
        throw new Error('it registered different routes, handlers or jobs than when it was set up');
      }
      if (this.#started) await this.#call('start', null, this.host.loadMs);
      this.#upSince = Date.now();
      this.#reportHealth('degraded', `restarted after ${previous} (restart ${this.#restarts})`);
    } catch (error) {
      if (this.#ended) return;
      const message = error instanceof Error ? error.message : String(error);
      this.host.logger.error({ plugin: this.id, err: error }, 'isolated plugin did not come back');
      // Kill what may be left; the death handler schedules the next try with a longer delay.
      if (this.#supervisor?.up) this.#supervisor.kill(`it failed to restart: ${message}`);
      else this.#died(`it failed to restart: ${message}`);
    }
  }

  #reportHealth(state: 'ok' | 'degraded', reason: string | null): void {
    try {
      this.#runtime?.reportHealth(state, reason ?? undefined);
    } catch {
      // health of a plugin being stopped: nothing to report to
    }
  }

  #notice(message: WireMessage): void {
    if (message.t === 'health') this.#reportHealth(message.state, message.reason);
    else if (message.t === 'io') {
      const io = this.#io.get(message.call);
      io?.[message.stream](message.text);
    }
  }

  /** Calls from the plugin's process: only services its manifest declared. */
  readonly #handle: CallHandler = async (method, params) => {
    const ctx = this.#setupCtx;
    if (!ctx) throw IsolationErrors.refused(this.id, `${method} before setup`);
    const p = (params ?? {}) as Record<string, unknown>;
    switch (method) {
      case 'service': {
        const ref = serviceRefOf(String(p.ref));
        if (!ref || ref.id === 'core.database' || ref.id === 'core.logger')
          throw IsolationErrors.refused(this.id, `service "${String(p.ref)}"`);
        // The kernel's own checks: a platform service whose capability was not declared, or
        // another plugin's service without `requires`, is refused here.
        const service = ctx.get(ref);
        const name = String(p.method);
        const fn = publicMethod(service, name);
        if (!fn) throw IsolationErrors.refused(this.id, `${ref.id}.${name}`);
        return fn.apply(service, Array.isArray(p.args) ? p.args : []);
      }
      case 'events.emit':
        return ctx.get(coreServices.events).emit(p.event as never, p.payload as never, (p.options ?? {}) as never);
      case 'events.guard':
        return ctx.get(coreServices.events).guard(p.event as never, p.payload as never, (p.options ?? {}) as never);
      case 'jobs.enqueue':
        return ctx.get(coreServices.jobs).enqueue(String(p.name), p.payload, (p.options ?? {}) as never);
      case 'jobs.enqueueMany':
        return ctx.get(coreServices.jobs).enqueueMany(String(p.name), p.jobs as never, (p.options ?? {}) as never);
      case 'mail.send':
        // Its own templates only, rendered back in its process and laid out here, as a preview is.
        return ctx.get(coreServices.mailer).sendTemplate(ownTemplate(this.mails, p.template), p.input as never);
      case 'job.progress': {
        const job = this.#jobs.get(String(p.jobId));
        if (!job) throw IsolationErrors.refused(this.id, 'progress of a job it is not running');
        return job.progress(Number(p.fraction), p.message === undefined ? undefined : String(p.message));
      }
      default:
        throw IsolationErrors.refused(this.id, `"${method}"`);
    }
  };
}

/** A platform service's ref, or another plugin's made from its id (the kernel checks `requires`). */
function serviceRefOf(id: string): ServiceRef<unknown> | undefined {
  const core = SERVICE_REFS.get(id);
  if (core || id.startsWith('core.')) return core;
  try {
    return createServiceRef(id);
  } catch {
    return undefined;
  }
}

/** What must be the same after a restart for the stand-ins to stay right. */
function shapeOf(reg: RegistrationsDescriptor): string {
  const { socket: _socket, ...rest } = reg;
  return JSON.stringify(rest);
}

/** The isolated plugin behind a definition, if it is one. */
export function isolatedOf(definition: AnyPlugin | undefined): IsolatedPlugin | undefined {
  return (definition as unknown as Record<symbol, IsolatedPlugin | undefined> | undefined)?.[ISOLATED];
}

/**
 * Load `discovered` in its own process and return a definition whose hooks run there. The
 * plugin's code is never imported into the host.
 */
export async function loadIsolatedDefinition(discovered: DiscoveredPlugin, host: IsolationHost): Promise<AnyPlugin> {
  const session = new IsolatedPlugin(discovered, host);
  const d = await session.describe();
  const definition = definitionOf(session, d);
  checkDefinitionAgainstManifest(definition, discovered);
  return definition;
}

/**
 * A definition of the same plugin with a process of its own, for a CLI command run while the
 * plugin may be started: the command must not take over (or end) the running process.
 */
export function separateDefinition(definition: AnyPlugin): AnyPlugin | undefined {
  const session = isolatedOf(definition);
  if (!session) return undefined;
  return definitionOf(new IsolatedPlugin(session.discovered, session.host), session.description);
}

function definitionOf(session: IsolatedPlugin, d: PluginDescription): AnyPlugin {
  session.mails = remoteMailTemplates(d.id, d.mails, {
    call: (params, timeoutMs) => session.renderMail(params, timeoutMs),
    timeoutMs: session.host.options.mailRenderMs,
  });
  return definePlugin({
    id: d.id,
    sdk: d.sdk,
    permissions: d.permissions as never,
    requires: d.requires,
    provides: d.provides,
    rbac: decodeSymbols(d.rbac),
    limits: d.limits,
    ...(d.config ? { config: decodeSymbols<TObject>(d.config) } : {}),
    ...(d.migrations ? { migrations: new URL(d.migrations) } : {}),
    mails: [...session.mails],
    setup: (ctx) => session.setup(ctx as AnyContext),
    start: (ctx) => session.start(ctx as AnyRuntime),
    stop: (ctx) => session.stop(ctx as StopContext<Record<string, unknown>, Record<string, unknown>>),
    [ISOLATED]: session,
  } as Parameters<typeof definePlugin>[0]) as AnyPlugin;
}
