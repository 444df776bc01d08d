/**
 * The kernel: owns the plugin registry, the root DI container and the platform services, and
 * implements {@link KernelApi} for the host. Enable/disable at runtime, across processes: a
 * change is stored, announced with NOTIFY, and every kernel on the database reconciles.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import pg from 'pg';
import type {
  AuditEntry,
  Authenticator,
  ClockService,
  CommandIO,
  Logger,
  PluginManifest,
  ServiceRef,
  UsersService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import { KernelErrors } from './errors.js';
import { EventBus } from './events/event-bus.js';
import type {
  DisableOptions,
  KernelApi,
  KernelHealth,
  OutboxMail,
  PermissionInfo,
  PluginPanelPage,
  PluginRoutes,
  PluginState,
  PluginStatus,
} from './kernel-api.js';
import { createLogger } from './logger.js';
import { platformServicesFor, type PlatformDeps } from './platform-services.js';
import { Rbac } from './rbac.js';
import { JobEngine, Scheduler, TaskPool } from './jobs/index.js';
import {
  listPluginRows,
  migrateCore,
  setPluginConfig,
  setPluginEnabled,
  setPluginState,
  upsertPluginRow,
  type DatabaseHandle,
} from './db/index.js';
import { createAuditService, createUsersService, listOutbox, systemClock } from './services/index.js';
import { findCycles, startOrder, type GraphNode } from './registry/dependency-graph.js';
import { disableImpact, type DisableImpact } from './registry/disable-impact.js';
import { discoverPlugins, type DiscoveryOptions, type DiscoveryProblem } from './registry/discover.js';
import { activate, checkActivatable, deactivate, failPlugin, type LifecycleHost } from './registry/lifecycle.js';
import { checkDefinitionAgainstManifest, loadDefinition, type AnyPlugin } from './registry/load-definition.js';
import { maskSecrets, mergeMaskedSecrets, validateConfig } from './registry/plugin-config.js';
import { toStatus, type PluginRecord } from './registry/plugin-record.js';
import { listPluginCommands, runPluginCommand, type CommandInfo } from './registry/plugin-command.js';

/** A plugin handed over as an object (tests, `startTestHost`). */
export interface InlinePlugin {
  definition: AnyPlugin;
  version?: string;
  manifest?: Partial<Pick<PluginManifest, 'displayName' | 'description' | 'permissions' | 'provides' | 'requires'>>;
}

/** Options of {@link Kernel.boot}. */
export interface KernelOptions {
  /** The database (the kernel closes it on stop). */
  database: DatabaseHandle;
  logger?: Logger;
  discovery?: DiscoveryOptions;
  inlinePlugins?: InlinePlugin[];
  /** Enable these at boot (stored, as an admin would). */
  enable?: string[];
  /** Config to store for plugins at boot, by id. */
  config?: Record<string, Record<string, unknown>>;
  /**
   * `run` (default) starts enabled plugins, workers and the change listener. `admin` (the CLI)
   * starts nothing: enable/disable/config only validate, store and announce, and the running
   * hosts apply the change.
   */
  mode?: 'run' | 'admin';
  /** Run job workers and cron schedules in this process (default true). */
  runWorkers?: boolean;
  jobConcurrency?: number;
  /** Worker-pool threads (default: cores). */
  taskThreads?: number;
  /** Follow plugin changes made by other processes (default true). */
  listen?: boolean;
  clock?: ClockService;
}

const CHANNEL = 'hostplane_plugins';

/** The Hostplane kernel. */
export class Kernel implements KernelApi {
  readonly logger: Logger;
  readonly knex: Knex;
  readonly events: EventBus;
  readonly rbac = new Rbac();
  readonly jobs: JobEngine;
  readonly scheduler: Scheduler;
  readonly tasks: TaskPool;
  readonly clock: ClockService;
  /** The users service on behalf of the platform (emits `user.created` from `core`). */
  readonly users: UsersService;
  /** Problems found while discovering (broken manifests, duplicates). */
  discoveryProblems: DiscoveryProblem[] = [];

  private readonly records = new Map<string, PluginRecord>();
  private readonly listeners = new Set<() => void | Promise<void>>();
  private readonly root: DependencyContainer = globalContainer.createChildContainer();
  private readonly lifecycle: LifecycleHost;
  private listenClient: pg.Client | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly admin: boolean;
  /** Tells this kernel's own announcements apart from other processes' (and other kernels'). */
  private readonly instanceId = randomUUID();

  private constructor(private readonly options: KernelOptions) {
    this.logger = options.logger ?? createLogger();
    this.admin = options.mode === 'admin';
    this.knex = options.database.knex;
    this.clock = options.clock ?? systemClock;
    this.events = new EventBus(this.logger, (owner, event, error) => this.recordHandlerError(owner, `event:${event}`, error));
    this.jobs = new JobEngine({
      connectionString: options.database.url,
      knex: this.knex,
      logger: this.logger.child({ component: 'jobs' }),
      ...(options.jobConcurrency ? { concurrency: options.jobConcurrency } : {}),
    });
    this.scheduler = new Scheduler({ knex: this.knex, engine: this.jobs, logger: this.logger.child({ component: 'schedules' }) });
    this.users = createUsersService({
      knex: this.knex,
      events: this.events.forSource('core'),
      permissionsOfRole: (role) => this.rbac.permissionsOf(role),
    });
    this.tasks = new TaskPool({
      logger: this.logger.child({ component: 'tasks' }),
      ...(options.taskThreads ? { maxThreads: options.taskThreads } : {}),
    });
    const platform: PlatformDeps = {
      knex: this.knex,
      logger: this.logger,
      clock: this.clock,
      events: this.events,
      jobs: this.jobs,
      tasks: this.tasks,
      jobMaxAttempts: (name) => this.jobDefinition(name)?.maxAttempts,
      extensions: (point) => this.extensions(point),
      permissionsOfRole: (role) => this.rbac.permissionsOf(role),
    };
    this.lifecycle = {
      knex: this.knex,
      logger: this.logger,
      rootContainer: this.root,
      events: this.events,
      rbac: this.rbac,
      records: this.records,
      platformServices: (id) => platformServicesFor(id, platform),
      resolveProvided: (consumer, ref) => this.resolveProvided(consumer, ref),
      persistState: (record) => this.persistState(record),
    };
  }

  /** Migrate, discover, start the enabled plugins and the workers. */
  static async boot(options: KernelOptions): Promise<Kernel> {
    const kernel = new Kernel(options);
    await kernel.init();
    return kernel;
  }

  private async init(): Promise<void> {
    await migrateCore(this.knex, 'latest');
    await this.jobs.migrate();
    await this.refreshRecords();
    for (const id of this.options.enable ?? []) {
      if (!this.records.has(id)) throw KernelErrors.pluginNotFound(id);
      await setPluginEnabled(this.knex, id, true);
    }
    for (const [id, config] of Object.entries(this.options.config ?? {})) {
      if (!this.records.has(id)) throw KernelErrors.pluginNotFound(id);
      await setPluginConfig(this.knex, id, config);
    }
    await this.refreshRecords();
    if (this.admin) return;
    await this.activateWanted();
    if (this.options.runWorkers !== false) await this.jobs.start();
    await this.syncEngines();
    if (this.options.listen !== false) await this.listen();
  }

  /** Discover plugins and merge stored state into the records. */
  private async refreshRecords(): Promise<void> {
    const { plugins, problems } = await discoverPlugins(this.options.discovery ?? {});
    this.discoveryProblems = problems;
    for (const problem of problems) this.logger.warn({ err: problem.error, dir: problem.dir }, 'plugin package skipped');
    const found = [...plugins];
    for (const inline of this.options.inlinePlugins ?? []) {
      const d = inline.definition;
      const manifest = {
        id: d.id,
        sdk: d.sdk,
        version: inline.version ?? '0.0.0',
        packageName: d.id,
        requires: inline.manifest?.requires ?? d.requires ?? {},
        provides: inline.manifest?.provides ?? d.provides ?? [],
        permissions: inline.manifest?.permissions ?? d.permissions ?? [],
        ...(inline.manifest?.displayName ? { displayName: inline.manifest.displayName } : {}),
        ...(inline.manifest?.description ? { description: inline.manifest.description } : {}),
      };
      found.push({ manifest, pkg: { name: d.id, version: manifest.version }, dir: '<inline>', source: 'inline' });
    }
    const rows = new Map((await listPluginRows(this.knex)).map((r) => [r.id, r]));
    for (const discovered of found) {
      const id = discovered.manifest.id;
      if (!rows.has(id)) await upsertPluginRow(this.knex, { id, version: discovered.manifest.version });
      const row = rows.get(id);
      const existing = this.records.get(id);
      const inline = this.options.inlinePlugins?.find((p) => p.definition.id === id)?.definition;
      if (existing) {
        existing.enabled = row?.enabled ?? false;
        existing.storedConfig = row?.config ?? {};
        continue;
      }
      // A CLI (admin mode) runs nothing itself: it shows what the hosts last stored.
      const stored =
        this.admin && row ? { state: row.state as PluginState, error: row.error } : { state: 'discovered' as const, error: null };
      const record: PluginRecord = {
        discovered,
        state: stored.state,
        enabled: row?.enabled ?? false,
        storedConfig: row?.config ?? {},
        error: stored.error,
      };
      if (inline) {
        checkDefinitionAgainstManifest(inline, discovered);
        record.inline = inline;
      }
      this.records.set(id, record);
    }
  }

  private graph(): Map<string, GraphNode> {
    return new Map(
      [...this.records.values()].map((r) => [
        r.discovered.manifest.id,
        { id: r.discovered.manifest.id, version: r.discovered.manifest.version, requires: r.discovered.manifest.requires ?? {} },
      ]),
    );
  }

  /** Start every plugin the admin enabled that is not running, in dependency order. */
  private async activateWanted(retry: ReadonlySet<string> = new Set()): Promise<void> {
    const graph = this.graph();
    const cycles = findCycles(graph);
    const wanted = [...this.records.values()]
      .filter((r) => r.enabled && r.state !== 'started')
      .map((r) => r.discovered.manifest.id);
    const acyclic = wanted.filter((id) => !cycles.has(id));
    for (const id of wanted.filter((w) => cycles.has(w))) {
      await failPlugin(this.lifecycle, this.records.get(id) as PluginRecord, 'dependencies', cycles.get(id));
    }
    for (const id of startOrder(acyclic, graph)) {
      const record = this.records.get(id) as PluginRecord;
      // A failed plugin is retried only when asked (an admin touched it); not on every change.
      if (record.state === 'failed' && record.error?.phase !== 'dependencies' && !retry.has(id)) continue;
      await activate(this.lifecycle, record);
    }
  }

  /** Serialize lifecycle changes: one at a time, in order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private record(id: string): PluginRecord {
    const record = this.records.get(id);
    if (!record) throw KernelErrors.pluginNotFound(id);
    return record;
  }

  private started(): PluginRecord[] {
    return [...this.records.values()].filter((r) => r.state === 'started' && r.runtime);
  }

  private jobDefinition(name: string): { maxAttempts: number } | undefined {
    for (const r of this.started()) {
      const found = r.runtime?.registrations.jobs.find((j) => j.name === name);
      if (found) return found;
    }
    return undefined;
  }

  private resolveProvided(consumer: string, ref: ServiceRef<unknown>): unknown {
    const owner = ref.id.slice(0, ref.id.indexOf('.'));
    const provider = this.records.get(owner);
    const service = provider?.state === 'started' ? provider.runtime?.registrations.services.get(ref.id) : undefined;
    if (!service) throw KernelErrors.serviceUnavailable(consumer, ref.id);
    return service.factory();
  }

  private recordHandlerError(owner: string, phase: string, error: unknown): void {
    const record = this.records.get(owner);
    if (record && record.state === 'started') {
      record.error = { phase, message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
    }
  }

  private async persistState(record: PluginRecord): Promise<void> {
    try {
      await setPluginState(this.knex, record.discovered.manifest.id, record.state, record.error);
    } catch (error) {
      this.logger.warn({ err: error, plugin: record.discovered.manifest.id }, 'could not store plugin state');
    }
  }

  /** Hand the started plugins' jobs, schedules and tasks to the engines. */
  private async syncEngines(): Promise<void> {
    const started = this.started();
    this.tasks.setTasks(
      new Map(started.flatMap((r) => r.runtime?.registrations.tasks.map((t) => [t.name, t.module] as const) ?? [])),
    );
    if (this.options.runWorkers === false || this.stopped) return;
    await this.jobs.setDefinitions(
      started.flatMap((r) =>
        (r.runtime?.registrations.jobs ?? []).map((j) => ({
          name: j.name,
          maxAttempts: j.maxAttempts,
          handler: async (payload: unknown, job: Parameters<typeof j.handler>[1]) => {
            try {
              await j.handler(payload, job);
            } catch (error) {
              this.recordHandlerError(r.discovered.manifest.id, `job:${j.name}`, error);
              throw error;
            }
          },
        })),
      ),
    );
    // One plugin's bad cron must not take every schedule down: check each plugin's alone first.
    for (const record of started) {
      const schedules = record.runtime?.registrations.schedules ?? [];
      if (schedules.length === 0) continue;
      try {
        this.scheduler.validate(schedules);
      } catch (error) {
        await failPlugin(this.lifecycle, record, 'schedules', error);
      }
    }
    this.scheduler.setSchedules(this.started().flatMap((r) => r.runtime?.registrations.schedules ?? []));
  }

  /** Tell other processes on this database that `pluginId` changed. */
  private async announce(pluginId: string): Promise<void> {
    await this.knex.raw('select pg_notify(?, ?)', [CHANNEL, `${this.instanceId}:${pluginId}`]).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not announce plugin change');
    });
  }

  private async changed(announce: boolean, pluginId?: string): Promise<void> {
    if (this.admin) {
      if (announce && pluginId) await this.announce(pluginId);
      return;
    }
    await this.syncEngines();
    if (announce && pluginId) await this.announce(pluginId);
    for (const listener of [...this.listeners]) {
      try {
        await listener();
      } catch (error) {
        this.logger.error({ err: error }, 'change listener failed');
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.database.url });
    client.on('error', (error) => this.logger.warn({ err: error }, 'plugin change listener lost its connection'));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    client.on('notification', (message) => {
      const [from, changedId] = (message.payload ?? '').split(':');
      if (from === this.instanceId) return;
      void this.serial(() => this.reconcile(changedId)).catch((error: unknown) =>
        this.logger.error({ err: error }, 'reconcile failed'),
      );
    });
    this.listenClient = client;
  }

  /** Make this process match the stored wishes (another process changed them). */
  async reconcile(changedId?: string): Promise<void> {
    const before = new Map([...this.records].map(([id, r]) => [id, JSON.stringify(r.storedConfig)]));
    await this.refreshRecords();
    let touched = false;
    for (const record of [...this.records.values()].reverse()) {
      const id = record.discovered.manifest.id;
      const configChanged = before.has(id) && before.get(id) !== JSON.stringify(record.storedConfig);
      if (record.state === 'started' && (!record.enabled || configChanged)) {
        await deactivate(this.lifecycle, record, record.enabled ? 'installed' : 'disabled');
        touched = true;
      }
    }
    const wanted = [...this.records.values()].filter((r) => r.enabled && r.state !== 'started');
    if (wanted.length > 0) touched = true;
    await this.activateWanted(new Set(changedId ? [changedId] : []));
    if (touched) await this.changed(false);
  }

  // ---- KernelApi ----

  plugins(): PluginStatus[] {
    return [...this.records.values()].map(toStatus).sort((a, b) => a.id.localeCompare(b.id));
  }

  plugin(id: string): PluginStatus | undefined {
    const record = this.records.get(id);
    return record ? toStatus(record) : undefined;
  }

  routes(): PluginRoutes[] {
    return this.started().flatMap((r) =>
      (r.runtime?.registrations.routes ?? []).map((route) => ({ pluginId: r.discovered.manifest.id, ...route })),
    );
  }

  /** Implementations of an extension point from started plugins. */
  extensions<T>(point: string): T[] {
    return this.started().flatMap((r) =>
      (r.runtime?.registrations.extensions ?? []).filter((e) => e.point === point).map((e) => e.implementation as T),
    );
  }

  authenticators(): Authenticator[] {
    return this.extensions<Authenticator>('authenticator');
  }

  panelPages(): PluginPanelPage[] {
    return this.started().flatMap((r) =>
      (r.runtime?.registrations.pages ?? []).map((page) => ({ ...page, pluginId: r.discovered.manifest.id })),
    );
  }

  permissions(): PermissionInfo[] {
    return this.rbac.all();
  }

  permissionsOf(role: string): Set<string> {
    return this.rbac.permissionsOf(role);
  }

  onChange(listener: () => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  enable(id: string): Promise<PluginStatus> {
    return this.serial(async () => {
      const record = this.record(id);
      if (record.state === 'started') return toStatus(record);
      checkActivatable(record, this.records, this.admin ? (dep) => dep.enabled : undefined);
      const cycles = findCycles(this.graph());
      if (cycles.has(id)) throw cycles.get(id) as Error;
      if (this.admin) {
        // Refuse here what the running host would refuse: unloadable code, bad config.
        const definition = await this.definitionOf(record);
        validateConfig(id, definition.config, record.storedConfig);
        await setPluginEnabled(this.knex, id, true);
        record.enabled = true;
        await this.announce(id);
        return toStatus(record);
      }
      await setPluginEnabled(this.knex, id, true);
      record.enabled = true;
      await activate(this.lifecycle, record);
      await this.changed(true, id);
      if (record.state === 'failed' && record.error) {
        throw KernelErrors.pluginFailed(id, record.error.phase, record.error.message);
      }
      return toStatus(record);
    });
  }

  disableImpact(id: string): DisableImpact {
    this.record(id);
    return disableImpact(
      id,
      [...this.records.values()].map((r) => ({
        id: r.discovered.manifest.id,
        enabled: r.enabled,
        requires: r.discovered.manifest.requires ?? {},
        provides: r.discovered.manifest.provides ?? [],
      })),
    );
  }

  disable(id: string, options: DisableOptions = {}): Promise<PluginStatus> {
    return this.serial(async () => {
      const record = this.record(id);
      const impact = this.disableImpact(id);
      if (impact.lastSignInProvider && !options.force) throw KernelErrors.lastSignInProvider(id);
      if (impact.dependents.length > 0 && !options.cascade) throw KernelErrors.dependentsEnabled(id, impact.dependents);
      // Dependants first, so nothing runs without what it requires.
      for (const dependent of impact.dependents) await this.disableOne(this.record(dependent));
      await this.disableOne(record);
      return toStatus(record);
    });
  }

  private async disableOne(record: PluginRecord): Promise<void> {
    const id = record.discovered.manifest.id;
    await setPluginEnabled(this.knex, id, false);
    record.enabled = false;
    if (this.admin) {
      await this.announce(id);
      return;
    }
    await deactivate(this.lifecycle, record, 'disabled');
    await this.changed(true, id);
    // The old workers stop fetching only once their graceful shutdown is through; until then
    // they could still take a job of the plugin just disabled.
    await this.jobs.drained();
  }

  private async definitionOf(record: PluginRecord): Promise<AnyPlugin> {
    return (record.definition ??= record.inline ?? (await loadDefinition(record.discovered)));
  }

  async getConfig(id: string, options: { revealSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const record = this.record(id);
    const definition = await this.definitionOf(record);
    const value = definition.config ? validateConfigLenient(definition, record.storedConfig) : {};
    return options.revealSecrets ? value : maskSecrets(definition.config, value);
  }

  setConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.serial(async () => {
      const record = this.record(id);
      const definition = await this.definitionOf(record);
      const merged = mergeMaskedSecrets(definition.config, config, record.storedConfig);
      validateConfig(id, definition.config, merged);
      await setPluginConfig(this.knex, id, merged);
      record.storedConfig = merged;
      if (record.state === 'started') {
        await deactivate(this.lifecycle, record, 'installed');
        await activate(this.lifecycle, record);
      }
      await this.changed(true, id);
      return maskSecrets(definition.config, validateConfig(id, definition.config, merged));
    });
  }

  async health(): Promise<KernelHealth> {
    const started = performance.now();
    let database: KernelHealth['database'];
    try {
      await this.knex.raw('select 1');
      database = { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      database = { ok: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
    }
    const plugins = this.plugins().map((p) => ({
      id: p.id,
      state: p.state,
      error: p.state === 'failed' ? (p.error?.message ?? null) : null,
      health: p.state === 'started' ? p.health : null,
    }));
    return { ok: database.ok, database, plugins };
  }

  reportFailure(id: string, phase: string, error: unknown): void {
    const record = this.records.get(id);
    if (!record) return;
    void this.serial(async () => {
      await failPlugin(this.lifecycle, record, phase, error);
      await this.changed(false);
    });
  }

  recordAudit(entry: AuditEntry & { source?: string }): Promise<void> {
    const { source, ...rest } = entry;
    return createAuditService(this.knex, source ?? 'core').record(rest);
  }

  listOutbox(filter: { to?: string; limit?: number } = {}): Promise<OutboxMail[]> {
    return listOutbox(this.knex, filter);
  }

  /** Commands of an enabled plugin (the plugin is set up, not started). */
  pluginCommands(id: string): Promise<CommandInfo[]> {
    return listPluginCommands(this.lifecycle, this.record(id));
  }

  /** Run a plugin's CLI command; resolves with its exit code. */
  runCommand(id: string, name: string, args: string[], io: CommandIO): Promise<number> {
    return runPluginCommand(this.lifecycle, this.record(id), name, args, io);
  }

  /** Stop plugins (reverse order), workers, the pool and the database. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.queue.catch(() => undefined);
    await this.listenClient?.end().catch(() => undefined);
    await this.scheduler.stop();
    await this.jobs.stop();
    const order = startOrder(
      this.started().map((r) => r.discovered.manifest.id),
      this.graph(),
    ).reverse();
    for (const id of order) await deactivate(this.lifecycle, this.records.get(id) as PluginRecord, 'installed');
    await this.events.idle();
    await this.tasks.destroy();
    await this.options.database.close();
  }
}

/** Config with defaults, tolerating a stored config that no longer validates (shown as is). */
function validateConfigLenient(definition: AnyPlugin, stored: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateConfig(definition.id, definition.config, stored);
  } catch {
    return { ...stored };
  }
}
