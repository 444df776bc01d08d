/**
 * One plugin's way through the lifecycle: load → check → migrate (installed) → setup
 * (enabled) → start (started), and back with stop. A failure at any step leaves the plugin
 * `failed` with the phase and message kept, undoes what was applied, and never throws to the
 * caller: one failing plugin never stops the host. Migrate, setup, start and stop each run
 * under a time limit ({@link PhaseLimits}); a plugin past it fails like one that threw.
 */
import semver from 'semver';
import type { DependencyContainer } from 'tsyringe';
import { SDK_VERSION, type Logger, type ServiceRef, type StopReason } from '@hostplane/sdk';
import { checkMailTemplates } from '../mail/template-catalog.js';
import type { Knex } from 'knex';
import { KernelErrors } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Rbac } from '../rbac.js';
import { setPluginState } from '../db/index.js';
import type { PluginDatabaseHandle } from '../db/plugin-database.js';
import { checkRequirements, type GraphNode } from './dependency-graph.js';
import type { AnyPlugin } from './load-definition.js';
import { isolatedOf } from '../isolation/isolated-plugin.js';
import { migrateDefinition } from './migrate-definition.js';
import { validateConfig } from './plugin-config.js';
import {
  createRuntimeContext,
  createSetupContext,
  emptyRegistrations,
  registerPlatformServices,
  type ContextInput,
} from './plugin-context.js';
import { isPhaseTimeout, withinLimit, type PhaseLimits } from './phase-limits.js';
import { grantedCapabilities, type PluginRecord, type PluginRuntime } from './plugin-record.js';

/** What the lifecycle needs from the kernel. */
export interface LifecycleHost {
  knex: Knex;
  logger: Logger;
  rootContainer: DependencyContainer;
  events: EventBus;
  rbac: Rbac;
  records: ReadonlyMap<string, PluginRecord>;
  /** How long each phase of plugin code may take. */
  limits: PhaseLimits;
  /** Factories of the platform services; `database` is the plugin's own pool, if it has one. */
  platformServices(pluginId: string, database: Knex | undefined): Array<{ ref: ServiceRef<unknown>; factory: () => unknown }>;
  /** Open the plugin's own pool as its own role (made or updated first); undefined when it needs none. */
  openPluginDatabase(record: PluginRecord, hasMigrations: boolean): Promise<PluginDatabaseHandle | undefined>;
  resolveProvided(consumer: string, ref: ServiceRef<unknown>): unknown;
  /** The stored config of `record` with its secrets decrypted, for the plugin itself only. */
  configFor(record: PluginRecord, definition: AnyPlugin): Promise<Record<string, unknown>>;
  /** Refuse (throw) a package whose signature this install does not trust, before its code loads. */
  checkSignature(record: PluginRecord): Promise<void>;
  /** Import a plugin's definition, or load it in its own process when it runs isolated. */
  loadDefinition(record: PluginRecord): Promise<AnyPlugin>;
}

/** Store state and error (best effort: the in-memory record is the truth for this process). */
async function persistState(host: LifecycleHost, record: PluginRecord): Promise<void> {
  const id = record.discovered.manifest.id;
  await setPluginState(host.knex, id, record.state, record.error).catch((error: unknown) => {
    host.logger.warn({ err: error, plugin: id }, 'could not store plugin state');
  });
}

function nodeOf(record: PluginRecord): GraphNode {
  const { manifest } = record.discovered;
  return { id: manifest.id, version: manifest.version, requires: manifest.requires ?? {} };
}

/** Check what can be checked without running plugin code: SDK range and dependencies. */
export function checkActivatable(
  record: PluginRecord,
  records: ReadonlyMap<string, PluginRecord>,
  isOn: (dependency: PluginRecord) => boolean = (dependency) => dependency.state === 'started',
): void {
  const { manifest } = record.discovered;
  if (!semver.satisfies(SDK_VERSION, manifest.sdk, { includePrerelease: true })) {
    throw KernelErrors.sdkIncompatible(manifest.id, manifest.sdk, SDK_VERSION);
  }
  const installed = new Map([...records.values()].map((r) => [r.discovered.manifest.id, nodeOf(r)]));
  checkRequirements(nodeOf(record), installed);
  for (const dep of Object.keys(manifest.requires ?? {})) {
    const dependency = records.get(dep);
    if (!dependency || !isOn(dependency)) throw KernelErrors.dependencyNotEnabled(manifest.id, dep);
  }
}

/** Mark `record` failed in `phase`, undoing whatever was applied. */
export async function failPlugin(host: LifecycleHost, record: PluginRecord, phase: string, error: unknown): Promise<void> {
  const id = record.discovered.manifest.id;
  const message = error instanceof Error ? error.message : String(error);
  host.logger.error({ err: error, plugin: id, phase }, 'plugin failed');
  await teardown(host, record, 'disable');
  record.state = 'failed';
  record.error = { phase, message, at: new Date().toISOString() };
  await persistState(host, record);
  void host.events.forSource('core').emit('plugin.failed', { pluginId: id, phase, message });
}

/** A fresh container, context input and (empty) registrations for `record`. */
export function buildRuntime(
  host: LifecycleHost,
  record: PluginRecord,
  definition: AnyPlugin,
  config: Record<string, unknown>,
  database: PluginDatabaseHandle | undefined,
): PluginRuntime {
  const id = record.discovered.manifest.id;
  const container = host.rootContainer.createChildContainer();
  const capabilities = grantedCapabilities(record);
  registerPlatformServices(container, capabilities, host.platformServices(id, database?.knex));
  const input: ContextInput = {
    id,
    version: record.discovered.manifest.version,
    config,
    logger: host.logger.child({ plugin: id }),
    capabilities,
    requires: record.discovered.manifest.requires ?? {},
    provides: record.discovered.manifest.provides ?? [],
    container,
    resolveProvided: (ref) => host.resolveProvided(id, ref),
    reportHealth: (state, reason) => {
      // A report from a plugin that has since been stopped must not stick to the next start.
      if (record.runtime?.input !== input) return;
      const previous = record.health;
      record.health = { state, reason, at: new Date().toISOString() };
      if (previous?.state !== state || previous?.reason !== reason) {
        host.logger[state === 'ok' ? 'info' : 'warn']({ plugin: id, health: state, reason }, 'plugin health changed');
      }
    },
  };
  return {
    container,
    registrations: emptyRegistrations(),
    abort: new AbortController(),
    input,
    deps: definition.deps,
    database,
  };
}

/** Time per phase, logged at debug once started: which plugin, and which step of it, is slow. */
class PhaseClock {
  phase = 'signature';
  readonly took: Record<string, number> = {};
  #since = performance.now();

  enter(next: string): void {
    const now = performance.now();
    this.took[this.phase] = (this.took[this.phase] ?? 0) + Math.round(now - this.#since);
    this.#since = now;
    this.phase = next;
  }
}

/** What {@link prepareActivation} made ready for {@link completeActivation}. */
export interface PreparedActivation {
  definition: AnyPlugin;
  config: Record<string, unknown>;
  database: PluginDatabaseHandle | undefined;
  clock: PhaseClock;
}

/**
 * The first half of an activation, up to `installed`: signature, code, config, database role and
 * pool, migrations. It touches nothing other plugins see (hooks, permissions, services), so
 * several plugins can go through it at once; it waits on the database and the disk. Resolves
 * undefined when the plugin failed (`record.state` says why).
 *
 * `isOn` says whether a dependency counts as on: {@link activateWanted} counts one prepared in
 * the same pass, whose own second half runs before this plugin's.
 */
export async function prepareActivation(
  host: LifecycleHost,
  record: PluginRecord,
  isOn?: (dependency: PluginRecord) => boolean,
): Promise<PreparedActivation | undefined> {
  const id = record.discovered.manifest.id;
  const clock = new PhaseClock();
  // Opened before the runtime that owns it exists: closed here if activation fails before.
  let database: PluginDatabaseHandle | undefined;
  try {
    await host.checkSignature(record);
    clock.enter('load');
    const definition = (record.definition ??= record.inline ?? (await host.loadDefinition(record)));
    clock.enter('dependencies');
    checkActivatable(record, host.records, isOn);
    clock.enter('config');
    const config = validateConfig(id, definition.config, await host.configFor(record, definition));
    // An isolated plugin's process starts here, as part of loading: the phase limits below
    // bound the plugin's own code, not the start of a process.
    clock.enter('load');
    await isolatedOf(definition)?.prepare();
    clock.enter('database');
    database = await host.openPluginDatabase(record, definition.migrations !== undefined);
    clock.enter('migrate');
    if (definition.migrations && database) {
      const cancel = new AbortController();
      // As the plugin's own role, and in its own process when isolated: a migration reaches no
      // more than the plugin's code.
      const migrating = migrateDefinition(definition, database.knex, { pluginId: id, action: 'latest', signal: cancel.signal });
      await withinLimit(migrating, host.limits.migrate, { plugin: id, phase: clock.phase }, () => cancel.abort());
    }
    record.state = 'installed';
    return { definition, config, database, clock };
  } catch (error) {
    await database?.close(host.limits.stop);
    await failPlugin(host, record, clock.phase, error);
    return undefined;
  }
}

/**
 * The second half, from `installed` to `started`: setup, permissions, start, hooks. Run one
 * plugin at a time in dependency order, so hooks and permissions are added in the same order on
 * every start. Resolves whether or not it worked; look at `record.state`.
 */
export async function completeActivation(host: LifecycleHost, record: PluginRecord, prepared: PreparedActivation): Promise<void> {
  const id = record.discovered.manifest.id;
  const { definition, config, database, clock } = prepared;
  clock.enter('dependencies');
  try {
    // A dependency prepared beside this one may have failed in its own second half.
    checkActivatable(record, host.records);
    clock.enter('setup');
    const runtime = buildRuntime(host, record, definition, config, database);
    record.runtime = runtime;
    record.health = null;
    const { input, registrations, abort } = runtime;
    // Built even without a setup hook: resolving `deps` is where undeclared services are refused.
    checkMailTemplates(id, definition.mails);
    const setupContext = createSetupContext(input, registrations, definition.deps);
    await withinLimit(definition.setup?.(setupContext), host.limits.setup, { plugin: id, phase: clock.phase });
    host.rbac.define(id, definition.rbac ?? {});
    record.state = 'enabled';
    clock.enter('start');
    const runtimeContext = createRuntimeContext(input, registrations, definition.deps, abort.signal);
    await withinLimit(definition.start?.(runtimeContext), host.limits.start, { plugin: id, phase: clock.phase });
    for (const { event, hook } of registrations.before) host.events.addBefore(id, event, hook);
    for (const { event, handler } of registrations.after) host.events.addAfter(id, event, handler);
    record.state = 'started';
    record.error = null;
    await persistState(host, record);
    clock.enter('started');
    host.logger.debug({ plugin: id, ms: clock.took }, 'plugin started');
    void host.events.forSource('core').emit('plugin.enabled', { pluginId: id, version: record.discovered.manifest.version });
  } catch (error) {
    if (database && record.runtime?.database !== database) await database.close(host.limits.stop);
    await failPlugin(host, record, clock.phase, error);
  }
}

/** Bring `record` to `started`. Resolves whether or not it worked; look at `record.state`. */
export async function activate(host: LifecycleHost, record: PluginRecord): Promise<void> {
  if (record.state === 'started') return;
  const prepared = await prepareActivation(host, record);
  if (prepared) await completeActivation(host, record, prepared);
}

/**
 * Undo what activation applied; call `stop` (telling it why) when the plugin had started (or was
 * starting). Resolves with the error when `stop` ran past its limit, which the caller reports.
 */
async function teardown(host: LifecycleHost, record: PluginRecord, reason: StopReason): Promise<Error | undefined> {
  const id = record.discovered.manifest.id;
  host.events.removeOwner(id);
  host.rbac.removeOwner(id);
  const runtime = record.runtime;
  record.runtime = undefined;
  record.health = null;
  if (!runtime) {
    await isolatedOf(record.definition)?.end();
    return undefined;
  }
  runtime.abort.abort();
  let timedOut: Error | undefined;
  const definition = record.definition;
  if ((record.state === 'started' || record.state === 'enabled') && definition?.stop) {
    try {
      const context = createRuntimeContext(runtime.input, runtime.registrations, runtime.deps, runtime.abort.signal);
      await withinLimit(definition.stop({ ...context, reason }), host.limits.stop, { plugin: id, phase: 'stop' });
    } catch (error) {
      host.logger.error({ err: error, plugin: id }, 'plugin stop failed');
      if (isPhaseTimeout(error)) timedOut = error;
    }
  }
  // Disposing runs the plugin's own disposables: bounded like stop, for the same reason.
  await withinLimit(runtime.container.dispose(), host.limits.stop, { plugin: id, phase: 'stop' }).catch((error: unknown) => {
    host.logger.error({ err: error, plugin: id }, 'plugin container did not dispose');
  });
  // An isolated plugin's process ends with its activation, whether or not `stop` ran.
  await isolatedOf(record.definition)?.end();
  // Last: stop and disposables may still have used it. Connections it holds past the limit end.
  await runtime.database?.close(host.limits.stop);
  return timedOut;
}

/** Stop a started plugin: `disable` leaves it `disabled`, `shutdown` and `reconfigure` `installed`. */
export async function deactivate(host: LifecycleHost, record: PluginRecord, reason: StopReason): Promise<void> {
  const stopTimedOut = await teardown(host, record, reason);
  if (stopTimedOut) {
    // It is no longer running as far as the kernel knows; whatever it still holds, it says so.
    record.state = 'failed';
    record.error = { phase: 'stop', message: stopTimedOut.message, at: new Date().toISOString() };
    await persistState(host, record);
    return;
  }
  const nextState = reason === 'disable' ? 'disabled' : 'installed';
  record.state = nextState;
  if (nextState === 'disabled') {
    record.error = null;
    await persistState(host, record);
    void host.events.forSource('core').emit('plugin.disabled', { pluginId: record.discovered.manifest.id });
  }
}
