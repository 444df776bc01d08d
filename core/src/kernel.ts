/**
 * The kernel: owns the plugin registry, the root DI container and the platform services, and
 * implements {@link KernelApi} for the host. Enable/disable at runtime, across processes: a
 * change is stored, announced with NOTIFY, and every kernel on the database reconciles.
 */
import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type {
  AnyMailTemplate,
  AuditEntry,
  Authenticator,
  ClockService,
  CommandIO,
  Logger,
  MailBranding,
  UsersService,
} from '@hostplane/sdk';
import type { Knex } from 'knex';
import { ChangeFeed } from './change-feed.js';
import { KernelErrors } from './errors.js';
import { EventBus } from './events/event-bus.js';
import type {
  DisableOptions,
  KernelApi,
  KernelHealth,
  OutboxMail,
  OutboxStatus,
  PermissionInfo,
  PluginPanelPage,
  PluginRoutes,
  PluginStatus,
} from './kernel-api.js';
import { kernelHealth } from './kernel-health.js';
import type { KernelOptions } from './kernel-options.js';
import { createLogger } from './logger.js';
import { platformServicesFor, type PlatformDeps } from './platform-services.js';
import { createPlatformState } from './platform-state.js';
import { Rbac } from './rbac.js';
import { JobEngine, Scheduler, TaskPool } from './jobs/index.js';
import { MailDelivery, requeueMail } from './mail/delivery.js';
import { migrateCore, setPluginConfig, setPluginEnabled } from './db/index.js';
import { KernelSecrets } from './secrets/secrets-admin.js';
import { mapSealed } from './secrets/config-secrets.js';
import { assessRecords } from './signing/assess.js';
import { assertMayRun } from './signing/plugin-trust.js';
import { createAuditService, createUsersService, listOutbox, systemClock } from './services/index.js';
import { MailerErrors } from './services/errors.js';
import { resolveBrand } from './mail/branding.js';
import { previewOf, templateInfo, type MailPreview, type MailTemplateInfo } from './mail/template-catalog.js';
import { activateWanted, deactivateAll, deactivateUnwanted, graphOf } from './registry/activation.js';
import { keyringSeal, rolePasswordStore } from './db/roles/role-passwords.js';
import { pluginSecretStore } from './secrets/plugin-secrets.js';
import { withLogin } from './db/open-database.js';
import { ensurePluginRole } from './db/roles/plugin-roles.js';
import { databaseAccessOf, openDatabaseOf } from './registry/database-access.js';
import { findCycles } from './registry/dependency-graph.js';
import { disableImpact, type DisableImpact } from './registry/disable-impact.js';
import type { DiscoveryProblem } from './registry/discover.js';
import { syncEngines } from './registry/engine-sync.js';
import { activate, checkActivatable, deactivate, failPlugin, type LifecycleHost } from './registry/lifecycle.js';
import { loadDefinition, type AnyPlugin } from './registry/load-definition.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolationModeOf } from './isolation/isolation-mode.js';
import { loadIsolatedDefinition } from './isolation/isolated-plugin.js';
import { resolveIsolationOptions, type ResolvedIsolationOptions } from './isolation/options.js';
import { phaseLimits, type PhaseLimits } from './registry/phase-limits.js';
import { SECRET_MASK, maskSecrets, mergeMaskedSecrets, validateConfig, validateConfigLenient } from './registry/plugin-config.js';
import { noteRunningError, toStatus, type PluginRecord } from './registry/plugin-record.js';
import { refreshRecords } from './registry/plugin-records.js';
import { listPluginCommands, runPluginCommand, type CommandInfo } from './registry/plugin-command.js';
import {
  extensionsOf,
  jobDefinitionOf,
  pagesOf,
  resolveProvided,
  routesOf,
  startedRecords,
} from './registry/registrations-view.js';

export type { InlinePlugin, KernelOptions } from './kernel-options.js';

/** How long a package verification may be reused before the package is hashed again. */
const SIGNATURE_REUSE_MS = 5_000;

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
  private readonly loggedProblems = new Set<string>();

  private readonly records = new Map<string, PluginRecord>();
  private readonly listeners = new Set<() => void | Promise<void>>();
  private readonly root: DependencyContainer = globalContainer.createChildContainer();
  private readonly lifecycle: LifecycleHost;
  private readonly feed: ChangeFeed;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly admin: boolean;
  private readonly limits: PhaseLimits;
  private secretsHandle: KernelSecrets | undefined;
  /** Plugins' database role passwords are stored sealed with the platform's key. */
  private readonly rolePasswordSeal = keyringSeal(() => this.secrets.keyring);
  private isolation: ResolvedIsolationOptions | undefined;
  private mailDelivery: MailDelivery | undefined;

  private constructor(private readonly options: KernelOptions) {
    this.logger = options.logger ?? createLogger();
    this.admin = options.mode === 'admin';
    this.knex = options.database.knex;
    this.clock = options.clock ?? systemClock;
    this.feed = new ChangeFeed({ knex: this.knex, connectionString: options.database.url, logger: this.logger });
    const limits = (this.limits = phaseLimits(options.phaseLimits));
    this.events = new EventBus(
      this.logger,
      (owner, phase, error) => noteRunningError(this.records.get(owner), phase, error),
      limits.handler,
    );
    this.jobs = new JobEngine({
      connectionString: options.database.url,
      knex: this.knex,
      logger: this.logger.child({ component: 'jobs' }),
      ...(options.jobConcurrency ? { concurrency: options.jobConcurrency } : {}),
    });
    this.scheduler = new Scheduler({
      knex: this.knex,
      engine: this.jobs,
      logger: this.logger.child({ component: 'schedules' }),
      clock: this.clock,
      mode: options.schedules ?? 'cron',
    });
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
      jobMaxAttempts: (name) => jobDefinitionOf(this.started(), name)?.maxAttempts,
      extensions: (point) => this.extensions(point),
      enforcedLimits: () => this.started().flatMap((r) => (r.definition ?? r.inline)?.limits ?? []),
      permissionsOfRole: (role) => this.rbac.permissionsOf(role),
      platformState: createPlatformState({
        knex: this.knex,
        url: options.database.url,
        secrets: options.secrets,
        dropInDirs: options.discovery?.dropInDirs ?? [],
        ...(options.pgDump ? { pgDump: options.pgDump } : {}),
      }),
      sealer: () => ({
        seal: (purpose, context, text) => this.secrets.encrypt(purpose, context, text),
        open: (purpose, context, envelope) => this.secrets.decrypt(purpose, context, envelope),
      }),
    };
    this.lifecycle = {
      knex: this.knex,
      logger: this.logger,
      rootContainer: this.root,
      events: this.events,
      rbac: this.rbac,
      records: this.records,
      limits,
      platformServices: (id, database) => platformServicesFor(id, platform, database),
      openPluginDatabase: (record, hasMigrations) =>
        openDatabaseOf(
          { knex: this.knex, url: options.database.url, logger: this.logger, seal: this.rolePasswordSeal },
          record,
          this.records,
          hasMigrations,
        ),
      resolveProvided: (consumer, ref) => resolveProvided(this.records, consumer, ref),
      configFor: async (record, definition) => {
        // Seal what was stored in the clear before encryption, then decrypt for this plugin only.
        const id = record.discovered.manifest.id;
        record.storedConfig = await this.secrets.sealStored(id, definition.config, record.storedConfig);
        return this.secrets.reveal(id, record.storedConfig);
      },
      checkSignature: (record) => this.checkSignature(record),
      loadDefinition: (record) => this.loadDefinition(record),
    };
  }

  /** Migrate, discover, start the enabled plugins and the workers. */
  static async boot(options: KernelOptions): Promise<Kernel> {
    const kernel = new Kernel(options);
    await kernel.init();
    return kernel;
  }

  private async init(): Promise<void> {
    // How long each step of booting took, logged once at debug: where a slow start goes.
    const took: Record<string, number> = {};
    let mark = performance.now();
    const step = (name: string): void => {
      const now = performance.now();
      took[name] = Math.round(now - mark);
      mark = now;
    };
    await migrateCore(this.knex, 'latest');
    step('coreMigrations');
    this.secretsHandle = await KernelSecrets.open(this.knex, this.options.secrets ?? { ephemeral: true });
    this.secretsHandle.addStore(rolePasswordStore);
    this.secretsHandle.addStore(pluginSecretStore);
    step('secrets');
    await this.jobs.migrate();
    step('jobsMigrations');
    await this.refreshRecords();
    for (const id of this.options.enable ?? []) {
      if (!this.records.has(id)) throw KernelErrors.pluginNotFound(id);
      await setPluginEnabled(this.knex, id, true);
    }
    for (const [id, config] of Object.entries(this.options.config ?? {})) {
      const record = this.record(id);
      if (record.inline) {
        await setPluginConfig(this.knex, id, await this.secrets.seal(id, record.inline.config, config));
        await this.secrets.markSealed(id);
      } else {
        // A package's code is not loaded before its signature is checked: sealed at its start.
        await setPluginConfig(this.knex, id, config);
        await this.secrets.markSealed(id, false);
      }
    }
    await this.refreshRecords();
    step('discovery');
    // The CLI hashes packages only for the commands that need it (list, enable): each command
    // boots a kernel, and hashing every package costs tens of milliseconds per plugin.
    if (this.admin) return;
    await assessRecords(this.knex, this.options.signing, this.records.values());
    step('signatures');
    await activateWanted(this.lifecycle);
    step('plugins');
    if (this.options.runWorkers !== false) await this.jobs.start();
    await this.syncEngines();
    if (this.options.runWorkers !== false && this.options.mail) {
      this.mailDelivery = new MailDelivery(this.knex, this.logger.child({ component: 'mail' }), this.options.mail);
      this.mailDelivery.start();
    }
    step('workers');
    if (this.options.listen !== false) await this.listen();
    step('listen');
    this.logger.debug({ ms: took }, 'kernel booted');
  }

  /** Discover plugins and merge stored state into the records. */
  private async refreshRecords(): Promise<void> {
    const { knex, logger, records, admin, options, loggedProblems } = this;
    const input = { discovery: options.discovery ?? {}, inlinePlugins: options.inlinePlugins ?? [] };
    this.discoveryProblems = await refreshRecords({ knex, logger, records, admin, loggedProblems, ...input });
  }

  /** Secrets at rest: the keyring, sealing of plugin configs, status and rotation. */
  get secrets(): KernelSecrets {
    if (!this.secretsHandle) throw new Error('the kernel has not opened its secrets yet');
    return this.secretsHandle;
  }

  /**
   * Verify `record`'s package and throw the refusal when it may not run. Starting reuses a
   * verification of the last few seconds (boot verifies every package once, then starts the
   * enabled ones); an admin's enable always hashes the package again.
   */
  private async checkSignature(record: PluginRecord, reuseMs = SIGNATURE_REUSE_MS): Promise<void> {
    await assessRecords(this.knex, this.options.signing, [record], reuseMs);
    assertMayRun(record.discovered.manifest.id, record.signature!);
  }

  /** Verify every package again (after trusted keys or allowances changed). */
  async refreshSignatures(): Promise<void> {
    await assessRecords(this.knex, this.options.signing, this.records.values());
  }

  /**
   * Trusted keys or allowances changed (the CLI): verify again here, and have running hosts do
   * so; an enabled plugin named by `pluginId` that failed its check is tried again there.
   */
  async signingChanged(pluginId = ''): Promise<void> {
    await this.refreshSignatures();
    await this.feed.announce(pluginId);
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
    return startedRecords(this.records);
  }

  /** Hand the started plugins' jobs, schedules and tasks to the engines. */
  private syncEngines(): Promise<void> {
    return syncEngines({
      started: () => this.started(),
      tasks: this.tasks,
      jobs: this.jobs,
      scheduler: this.scheduler,
      runWorkers: this.options.runWorkers !== false && !this.stopped,
      onJobError: (owner, phase, error) => noteRunningError(this.records.get(owner), phase, error),
      fail: (record, phase, error) => failPlugin(this.lifecycle, record, phase, error),
    });
  }

  private async changed(announce: boolean, pluginId?: string): Promise<void> {
    if (this.admin) {
      if (announce && pluginId) await this.feed.announce(pluginId);
      return;
    }
    await this.syncEngines();
    if (announce && pluginId) await this.feed.announce(pluginId);
    for (const listener of [...this.listeners]) {
      try {
        await listener();
      } catch (error) {
        this.logger.error({ err: error }, 'change listener failed');
      }
    }
  }

  /** Follow changes other processes announce: each one reconciles, in turn with local changes. */
  private listen(): Promise<void> {
    return this.feed.listen((changedId) => {
      void this.serial(() => this.reconcile(changedId)).catch((error: unknown) =>
        this.logger.error({ err: error }, 'reconcile failed'),
      );
    });
  }

  /** Make this process match the stored wishes (another process changed them). */
  async reconcile(changedId?: string): Promise<void> {
    const before = new Map([...this.records].map(([id, r]) => [id, JSON.stringify(r.storedConfig)]));
    await this.refreshRecords();
    await this.refreshSignatures();
    const touched = await deactivateUnwanted(this.lifecycle, before);
    await activateWanted(this.lifecycle, new Set(changedId ? [changedId] : []));
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
    return routesOf(this.started());
  }

  /** Implementations of an extension point from started plugins. */
  extensions<T>(point: string): T[] {
    return extensionsOf<T>(this.started(), point);
  }

  authenticators(): Authenticator[] {
    return this.extensions<Authenticator>('authenticator');
  }

  panelPages(): PluginPanelPage[] {
    return pagesOf(this.started());
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
      // Refused before anything is stored or loaded: a 403 naming what the admin can do.
      await this.checkSignature(record, 0);
      checkActivatable(record, this.records, this.admin ? (dep) => dep.enabled : undefined);
      const cycles = findCycles(graphOf(this.records));
      if (cycles.has(id)) throw cycles.get(id) as Error;
      if (this.admin) {
        // Refuse here what the running host would refuse: unloadable code, bad config.
        const definition = await this.definitionOf(record);
        validateConfig(id, definition.config, await this.secrets.reveal(id, record.storedConfig));
        await setPluginEnabled(this.knex, id, true);
        record.enabled = true;
        await this.feed.announce(id);
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
      await this.feed.announce(id);
      return;
    }
    await deactivate(this.lifecycle, record, 'disable');
    await this.changed(true, id);
    // The old workers stop fetching only once their graceful shutdown is through; until then
    // they could still take a job of the plugin just disabled.
    await this.jobs.drained();
  }

  /** The plugin's definition, importing its package (after its signature passed) the first time. */
  private async definitionOf(record: PluginRecord): Promise<AnyPlugin> {
    if (!record.definition && !record.inline) await this.checkSignature(record);
    return (record.definition ??= record.inline ?? (await this.loadDefinition(record)));
  }

  /** Third-party plugins are loaded in their own process; their code never runs in this one. */
  private loadDefinition(record: PluginRecord): Promise<AnyPlugin> {
    const isolation = (this.isolation ??= resolveIsolationOptions(this.options.isolation, {
      dataDir: join(tmpdir(), 'hostplane-plugins'),
      pluginConnection: (id) => this.pluginConnection(id),
    }));
    if (isolationModeOf(record, isolation.plugins) === 'in-process') return loadDefinition(record.discovered);
    return loadIsolatedDefinition(record.discovered, {
      options: isolation,
      logger: this.logger,
      loadMs: 30_000,
      keepWarmMs: this.admin ? 0 : 10_000,
    });
  }

  /** A URL logged in as plugin `id`'s own role (made or updated first), for its isolated process. */
  private async pluginConnection(id: string): Promise<{ url: string }> {
    const login = await ensurePluginRole(this.knex, databaseAccessOf(this.record(id), this.records), this.rolePasswordSeal);
    return { url: withLogin(this.options.database.url, login) };
  }

  async getConfig(id: string, options: { revealSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
    const record = this.record(id);
    const definition = await this.definitionOf(record);
    if (!definition.config) return {};
    // Masked: sealed values are never decrypted for a listing.
    const stored = options.revealSecrets
      ? await this.secrets.reveal(id, record.storedConfig)
      : mapSealed(record.storedConfig, () => SECRET_MASK);
    const value = validateConfigLenient(definition, stored);
    return options.revealSecrets ? value : maskSecrets(definition.config, value);
  }

  setConfig(id: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.serial(async () => {
      const record = this.record(id);
      const definition = await this.definitionOf(record);
      // A sealed value only ever comes from the store: one sent in would be decrypted as ours.
      const forged: Array<{ field: string; message: string }> = [];
      mapSealed(config, (_envelope, field) => forged.push({ field, message: 'this value shape is reserved for stored secrets' }));
      if (forged.length > 0) throw KernelErrors.configInvalid(id, forged);
      const merged = mergeMaskedSecrets(definition.config, config, record.storedConfig);
      const value = validateConfig(id, definition.config, await this.secrets.reveal(id, merged));
      const sealed = await this.secrets.seal(id, definition.config, merged);
      await setPluginConfig(this.knex, id, sealed);
      await this.secrets.markSealed(id);
      record.storedConfig = sealed;
      if (record.state === 'started') {
        await deactivate(this.lifecycle, record, 'reconfigure');
        await activate(this.lifecycle, record);
      }
      await this.changed(true, id);
      return maskSecrets(definition.config, value);
    });
  }

  health(): Promise<KernelHealth> {
    return kernelHealth(this.knex, this.plugins());
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

  mailTemplates(): MailTemplateInfo[] {
    return this.startedMailTemplates()
      .map(({ pluginId, template }) => templateInfo(pluginId, template))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async previewMail(id: string, issuer: string): Promise<MailPreview> {
    const found = this.startedMailTemplates().find((entry) => entry.template.id === id);
    if (!found) throw MailerErrors.templateNotFound(id);
    const brand = await resolveBrand(
      { knex: this.knex, sources: () => this.extensions<MailBranding>('mail-branding') },
      { issuer },
    );
    return previewOf(found.template, id, brand);
  }

  private startedMailTemplates(): Array<{ pluginId: string; template: AnyMailTemplate }> {
    return this.started().flatMap((r) =>
      ((r.definition ?? r.inline)?.mails ?? []).map((template) => ({ pluginId: r.discovered.manifest.id, template })),
    );
  }

  listOutbox(filter: { to?: string; status?: OutboxStatus; limit?: number } = {}): Promise<OutboxMail[]> {
    return listOutbox(this.knex, filter);
  }

  requeueMail(id: string): Promise<boolean> {
    return requeueMail(this.knex, id);
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
    await this.feed.close();
    await this.scheduler.stop();
    await this.jobs.stop();
    await this.mailDelivery?.stop();
    await deactivateAll(this.lifecycle, this.started());
    await this.events.idle();
    await this.tasks.destroy();
    // Plugin code abandoned past its limit may still hold a connection: wait no longer than stop may.
    await this.options.database.close({ graceMs: this.limits.stop });
  }
}
