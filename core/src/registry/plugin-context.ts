/**
 * The contexts a plugin's `setup`, `start` and `stop` receive. `setup` only records what the
 * plugin registers; the kernel applies the record when the plugin starts and removes it when
 * it stops, so enable/disable at runtime is the same code path as boot.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type {
  PluginHealthState,
  AfterHandler,
  BeforeHook,
  CommandDefinition,
  EventName,
  ExtensionPoint,
  JobDefinitionOptions,
  JobHandler,
  KernelCapability,
  Logger,
  PanelPageDefinition,
  PluginContextBase,
  RouteOptions,
  RouteRegistrar,
  RuntimeContext,
  ScheduleDefinition,
  ServiceRef,
  SetupContext,
} from '@hostplane/sdk';
import { KernelErrors } from '../errors.js';

const LOCAL_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const PREFIX = /^(\/[a-z0-9][a-z0-9-]*)+$/;

/**
 * Plugins name task modules as `new URL('./tasks/x.js', import.meta.url)`. When running from
 * TypeScript sources (tests, dev) that file is `x.ts`: use it so the same code works in both.
 */
function sourceSibling(url: URL): URL {
  if (url.protocol !== 'file:' || !url.pathname.endsWith('.js') || existsSync(fileURLToPath(url))) return url;
  const ts = new URL(url.href.replace(/\.js$/, '.ts'));
  return existsSync(fileURLToPath(ts)) ? ts : url;
}

/** Everything a plugin registered during setup. */
export interface Registrations {
  routes: Array<{ prefix: string; registrar: RouteRegistrar }>;
  before: Array<{ event: EventName; hook: BeforeHook<EventName> }>;
  after: Array<{ event: EventName; handler: AfterHandler<EventName> }>;
  jobs: Array<{ name: string; handler: JobHandler<unknown>; maxAttempts: number }>;
  schedules: Array<{ name: string; cron: string; job: string; payload: unknown; timezone?: string }>;
  tasks: Array<{ name: string; module: URL }>;
  pages: PanelPageDefinition[];
  services: Map<string, { ref: ServiceRef<unknown>; factory: () => unknown }>;
  extensions: Array<{ point: string; implementation: unknown }>;
  commands: Array<CommandDefinition<Record<string, unknown>, Record<string, unknown>>>;
}

/** Empty registrations. */
export function emptyRegistrations(): Registrations {
  return {
    routes: [],
    before: [],
    after: [],
    jobs: [],
    schedules: [],
    tasks: [],
    pages: [],
    services: new Map(),
    extensions: [],
    commands: [],
  };
}

/** What the kernel tells the context about one plugin. */
export interface ContextInput {
  id: string;
  version: string;
  config: Record<string, unknown>;
  logger: Logger;
  capabilities: ReadonlySet<KernelCapability>;
  requires: Record<string, string>;
  provides: readonly string[];
  /** The plugin's child container, with the platform services it may use registered. */
  container: DependencyContainer;
  /** Find a service another started plugin provides. */
  resolveProvided(ref: ServiceRef<unknown>): unknown;
  /** Record what the plugin says about its own health. */
  reportHealth(state: PluginHealthState, reason: string | null): void;
}

/** Register the platform service factories a plugin's capabilities allow into its container. */
export function registerPlatformServices(
  container: DependencyContainer,
  capabilities: ReadonlySet<KernelCapability>,
  services: Array<{ ref: ServiceRef<unknown>; factory: () => unknown }>,
): void {
  for (const { ref, factory } of services) {
    if (ref.capability && !capabilities.has(ref.capability)) continue;
    container.register(ref.token, { useFactory: instanceCachingFactory(() => factory()) });
  }
}

function baseContext(
  input: ContextInput,
  registrations: Registrations,
): PluginContextBase<Record<string, unknown>, Record<string, unknown>> {
  const get = <T>(ref: ServiceRef<T>): T => {
    const owner = ref.id.slice(0, ref.id.indexOf('.'));
    if (owner === 'core') {
      if (ref.capability && !input.capabilities.has(ref.capability)) {
        throw KernelErrors.serviceNotDeclared(input.id, ref.id, `did not declare the "${ref.capability}" permission`);
      }
      if (!input.container.isRegistered(ref.token, true)) throw KernelErrors.serviceUnavailable(input.id, ref.id);
      return input.container.resolve<T>(ref.token);
    }
    if (owner === input.id) {
      const own = registrations.services.get(ref.id);
      if (!own) throw KernelErrors.serviceUnavailable(input.id, ref.id);
      return own.factory() as T;
    }
    if (!(owner in input.requires)) {
      throw KernelErrors.serviceNotDeclared(input.id, ref.id, `does not require plugin "${owner}"`);
    }
    return input.resolveProvided(ref as ServiceRef<unknown>) as T;
  };
  return {
    id: input.id,
    version: input.version,
    config: input.config,
    logger: input.logger,
    deps: {},
    get,
  };
}

/** Resolve a definition's `deps` record through `get`. */
export function resolveDeps(
  deps: Record<string, ServiceRef<unknown>> | undefined,
  get: <T>(ref: ServiceRef<T>) => T,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, ref] of Object.entries(deps ?? {})) out[key] = get(ref);
  return out;
}

/** Build the setup context; what the plugin registers lands in `registrations`. */
export function createSetupContext(
  input: ContextInput,
  registrations: Registrations,
  deps: Record<string, ServiceRef<unknown>> | undefined,
): SetupContext<Record<string, unknown>, Record<string, unknown>> {
  const base = baseContext(input, registrations);
  const need = (capability: KernelCapability, what: string): void => {
    if (!input.capabilities.has(capability)) {
      throw KernelErrors.serviceNotDeclared(input.id, what, `did not declare the "${capability}" permission`);
    }
  };
  const localName = (kind: string, name: string): string => {
    if (!LOCAL_NAME.test(name)) throw KernelErrors.registrationInvalid(input.id, `${kind} name "${name}" must be kebab-case`);
    return `${input.id}:${name}`;
  };
  const fullJobName = (name: string): string => (name.includes(':') ? name : `${input.id}:${name}`);
  const ctx: SetupContext<Record<string, unknown>, Record<string, unknown>> = {
    ...base,
    deps: resolveDeps(deps, base.get),
    routes(registrar: RouteRegistrar, options: RouteOptions = {}) {
      need('http:routes', 'HTTP routes');
      const prefix = options.prefix ?? `/${input.id}`;
      if (!PREFIX.test(prefix)) throw KernelErrors.registrationInvalid(input.id, `route prefix "${prefix}" must look like /name`);
      registrations.routes.push({ prefix, registrar });
    },
    on<E extends EventName>(event: E, handler: AfterHandler<E>) {
      need('events:subscribe', `event "${event}"`);
      registrations.after.push({ event, handler: handler as unknown as AfterHandler<EventName> });
    },
    before<E extends EventName>(event: E, hook: BeforeHook<E>) {
      need('events:subscribe', `event "${event}"`);
      registrations.before.push({ event, hook: hook as unknown as BeforeHook<EventName> });
    },
    job<P>(name: string, handler: JobHandler<P>, options: JobDefinitionOptions = {}) {
      need('jobs', `job "${name}"`);
      const full = localName('job', name);
      if (registrations.jobs.some((j) => j.name === full))
        throw KernelErrors.registrationInvalid(input.id, `job "${name}" defined twice`);
      const maxAttempts = options.maxAttempts ?? 5;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
        throw KernelErrors.registrationInvalid(input.id, `job "${name}": maxAttempts must be 1..100`);
      }
      registrations.jobs.push({ name: full, handler: handler as JobHandler<unknown>, maxAttempts });
    },
    schedule<P>(name: string, definition: ScheduleDefinition<P>) {
      need('schedules', `schedule "${name}"`);
      const full = localName('schedule', name);
      const job = fullJobName(definition.job);
      // The kernel enqueues it: another plugin's job would run on this one's say-so.
      if (!job.startsWith(`${input.id}:`))
        throw KernelErrors.registrationInvalid(input.id, `schedule "${name}" may only run its own jobs, not "${job}"`);
      const entry: Registrations['schedules'][number] = {
        name: full,
        cron: definition.cron,
        job,
        payload: definition.payload ?? {},
      };
      if (definition.timezone) entry.timezone = definition.timezone;
      registrations.schedules.push(entry);
    },
    task(name: string, module: URL) {
      need('tasks', `task "${name}"`);
      if (!(module instanceof URL)) throw KernelErrors.registrationInvalid(input.id, `task "${name}" needs a module URL`);
      registrations.tasks.push({ name: localName('task', name), module: sourceSibling(module) });
    },
    page(definition: PanelPageDefinition) {
      if (!LOCAL_NAME.test(definition.id))
        throw KernelErrors.registrationInvalid(input.id, `page id "${definition.id}" must be kebab-case`);
      if (registrations.pages.some((p) => p.id === definition.id)) {
        throw KernelErrors.registrationInvalid(input.id, `page "${definition.id}" declared twice`);
      }
      for (const param of [...(definition.params ?? []), ...(definition.pathParam ? [definition.pathParam] : [])]) {
        if (!/^[a-z][A-Za-z0-9]{0,31}$/.test(param)) {
          throw KernelErrors.registrationInvalid(
            input.id,
            `page "${definition.id}" parameter "${param}" must be a short camelCase name`,
          );
        }
        if (param === 'me') {
          throw KernelErrors.registrationInvalid(
            input.id,
            `page "${definition.id}": "me" is the signed-in user, not a parameter`,
          );
        }
      }
      if (definition.linkFrom && !definition.pathParam) {
        throw KernelErrors.registrationInvalid(
          input.id,
          `page "${definition.id}" is linked from a core list: it needs a pathParam for the row's id`,
        );
      }
      registrations.pages.push(definition);
    },
    provide<T>(ref: ServiceRef<T>, factory: () => T) {
      if (!ref.id.startsWith(`${input.id}.`)) {
        throw KernelErrors.registrationInvalid(input.id, `may only provide services named "${input.id}.*", not "${ref.id}"`);
      }
      let instance: { value: T } | undefined;
      // One instance per start, made on first use.
      registrations.services.set(ref.id, {
        ref: ref as ServiceRef<unknown>,
        factory: () => (instance ??= { value: factory() }).value,
      });
    },
    extend<T>(point: ExtensionPoint<T>, implementation: T) {
      if (!input.provides.includes(point.id)) {
        throw KernelErrors.registrationInvalid(input.id, `implements "${point.id}" without listing it in "provides"`);
      }
      registrations.extensions.push({ point: point.id, implementation });
    },
    command(definition) {
      if (!LOCAL_NAME.test(definition.name))
        throw KernelErrors.registrationInvalid(input.id, `command "${definition.name}" must be kebab-case`);
      if (definition.group !== undefined && !LOCAL_NAME.test(definition.group))
        throw KernelErrors.registrationInvalid(input.id, `command group "${definition.group}" must be kebab-case`);
      // A name may appear once per group (and once without a group).
      if (registrations.commands.some((c) => c.name === definition.name && c.group === definition.group)) {
        const full = definition.group ? `${definition.group} ${definition.name}` : definition.name;
        throw KernelErrors.registrationInvalid(input.id, `command "${full}" defined twice`);
      }
      registrations.commands.push(definition);
    },
  };
  return ctx;
}

/** Build the context of `start` and `stop`. */
export function createRuntimeContext(
  input: ContextInput,
  registrations: Registrations,
  deps: Record<string, ServiceRef<unknown>> | undefined,
  signal: AbortSignal,
): RuntimeContext<Record<string, unknown>, Record<string, unknown>> {
  const base = baseContext(input, registrations);
  return {
    ...base,
    deps: resolveDeps(deps, base.get),
    signal,
    reportHealth: (state, reason) => {
      if (state !== 'ok' && state !== 'degraded')
        throw new TypeError(`health state must be "ok" or "degraded", not "${String(state)}"`);
      input.reportHealth(state, reason ?? null);
    },
  };
}
