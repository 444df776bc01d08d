/**
 * The contexts `setup`, `start` and `stop` receive inside the plugin's process. They have the
 * SDK's shape, so the same package runs in-process or isolated without a change; what `setup`
 * registers stays here (handlers, registrars, task modules) and is described to the kernel as
 * data, which registers stand-ins that call back.
 */
import { encodeSymbols } from './codec.js';
import { dataValues, methodNames } from './methods.js';
import type { RegistrationsDescriptor } from './protocol.js';

type Fn = (...args: never[]) => unknown;

/** Handlers the kernel calls by index or name. */
export interface ChildRegistrations {
  routes: Array<{ prefix: string; registrar: (app: unknown) => void | Promise<void> }>;
  before: Array<{ event: string; hook: Fn }>;
  after: Array<{ event: string; handler: Fn }>;
  jobs: Map<string, { handler: Fn; maxAttempts: number }>;
  schedules: RegistrationsDescriptor['schedules'];
  tasks: Map<string, URL>;
  pages: unknown[];
  commands: Array<{ name: string; group?: string; description: string; usage?: string; run: Fn }>;
  /** Services this plugin provides: one instance per start, made on first use (as in-process). */
  services: Map<string, () => unknown>;
  extensions: Array<{ point: string; implementation: unknown }>;
}

export function emptyChildRegistrations(): ChildRegistrations {
  return {
    routes: [],
    before: [],
    after: [],
    jobs: new Map(),
    schedules: [],
    tasks: new Map(),
    pages: [],
    commands: [],
    services: new Map(),
    extensions: [],
  };
}

/** What the contexts are built from. */
export interface ChildContextInput {
  id: string;
  version: string;
  config: Record<string, unknown>;
  logger: unknown;
  capabilities: ReadonlySet<string>;
  services: Map<string, () => unknown>;
  /** Another plugin's service, served through the kernel (which checks `requires`). */
  remote(refId: string): unknown;
  /** This plugin's own services. */
  own: Map<string, () => unknown>;
}

interface Ref {
  id: string;
  capability?: string;
}

function refusal(id: string, what: string, why: string): Error {
  return Object.assign(new Error(`plugin "${id}" may not use ${what}: it ${why}`), {
    code: 'KERNEL_ERR_SERVICE_NOT_DECLARED',
    statusCode: 500,
  });
}

function baseContext(input: ChildContextInput) {
  const cache = new Map<string, unknown>();
  const get = (ref: Ref): unknown => {
    const owner = ref.id.slice(0, ref.id.indexOf('.'));
    if (owner === input.id) {
      const own = input.own.get(ref.id);
      if (!own) throw refusal(input.id, `service "${ref.id}"`, 'does not provide it');
      return own();
    }
    if (owner !== 'core') return input.remote(ref.id);
    if (ref.capability && !input.capabilities.has(ref.capability)) {
      throw refusal(input.id, `service "${ref.id}"`, `did not declare the "${ref.capability}" permission`);
    }
    if (!cache.has(ref.id)) {
      const factory = input.services.get(ref.id);
      if (!factory) throw refusal(input.id, `service "${ref.id}"`, 'runs isolated, where this service is not offered');
      cache.set(ref.id, factory());
    }
    return cache.get(ref.id);
  };
  const deps = (refs: Record<string, Ref> | undefined): Record<string, unknown> =>
    Object.fromEntries(Object.entries(refs ?? {}).map(([key, ref]) => [key, get(ref)]));
  return { id: input.id, version: input.version, config: input.config, logger: input.logger, get, deps };
}

const LOCAL_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The setup context; registrations land in `reg`. The kernel checks them again on its side. */
export function childSetupContext(input: ChildContextInput, reg: ChildRegistrations, depRefs: Record<string, Ref> | undefined) {
  const base = baseContext(input);
  const need = (capability: string, what: string): void => {
    if (!input.capabilities.has(capability)) throw refusal(input.id, what, `did not declare the "${capability}" permission`);
  };
  const full = (name: string): string => `${input.id}:${name}`;
  return {
    id: base.id,
    version: base.version,
    config: base.config,
    logger: base.logger,
    get: base.get,
    deps: base.deps(depRefs),
    routes(registrar: (app: unknown) => void, options: { prefix?: string } = {}) {
      need('http:routes', 'HTTP routes');
      reg.routes.push({ prefix: options.prefix ?? `/${input.id}`, registrar });
    },
    on(event: string, handler: Fn) {
      need('events:subscribe', `event "${event}"`);
      reg.after.push({ event, handler });
    },
    before(event: string, hook: Fn) {
      need('events:subscribe', `event "${event}"`);
      reg.before.push({ event, hook });
    },
    job(name: string, handler: Fn, options: { maxAttempts?: number } = {}) {
      need('jobs', `job "${name}"`);
      reg.jobs.set(full(name), { handler, maxAttempts: options.maxAttempts ?? 5 });
    },
    schedule(name: string, definition: { cron: string; job: string; payload?: unknown; timezone?: string }) {
      need('schedules', `schedule "${name}"`);
      const entry: RegistrationsDescriptor['schedules'][number] = {
        name,
        cron: definition.cron,
        job: definition.job,
        payload: definition.payload ?? {},
      };
      if (definition.timezone) entry.timezone = definition.timezone;
      reg.schedules.push(entry);
    },
    task(name: string, module: URL) {
      need('tasks', `task "${name}"`);
      if (!LOCAL_NAME.test(name) || !(module instanceof URL))
        throw new Error(`task "${name}" needs a kebab-case name and a module URL`);
      reg.tasks.set(full(name), module);
    },
    page(definition: unknown) {
      reg.pages.push(definition);
    },
    // The kernel checks both again (the service's name, `provides`) when it registers stand-ins.
    provide(ref: Ref, factory: () => unknown) {
      if (!ref.id.startsWith(`${input.id}.`)) throw new Error(`may only provide services named "${input.id}.*", not "${ref.id}"`);
      let instance: { value: unknown } | undefined;
      reg.services.set(ref.id, () => (instance ??= { value: factory() }).value);
    },
    extend(point: Ref, implementation: unknown) {
      reg.extensions.push({ point: point.id, implementation });
    },
    command(definition: { name: string; group?: string; description: string; usage?: string; run: Fn }) {
      reg.commands.push(definition);
    },
  };
}

/** The context of `start`, `stop` and commands. */
export function childRuntimeContext(
  input: ChildContextInput,
  depRefs: Record<string, Ref> | undefined,
  signal: AbortSignal,
  reportHealth: (state: string, reason: string | null) => void,
) {
  const base = baseContext(input);
  return {
    id: base.id,
    version: base.version,
    config: base.config,
    logger: base.logger,
    get: base.get,
    deps: base.deps(depRefs),
    signal,
    reportHealth(state: string, reason?: string) {
      if (state !== 'ok' && state !== 'degraded')
        throw new TypeError(`health state must be "ok" or "degraded", not "${String(state)}"`);
      reportHealth(state, reason ?? null);
    },
  };
}

/** The registrations as the kernel receives them. */
export function describeRegistrations(
  reg: ChildRegistrations,
  routes: RegistrationsDescriptor['routes'],
  socket: string | null,
): RegistrationsDescriptor {
  return {
    routes,
    before: reg.before.map((b, index) => ({ event: b.event, index })),
    after: reg.after.map((a, index) => ({ event: a.event, index })),
    jobs: [...reg.jobs].map(([name, j]) => ({ name: name.slice(name.indexOf(':') + 1), maxAttempts: j.maxAttempts })),
    schedules: reg.schedules,
    tasks: [...reg.tasks.keys()],
    pages: reg.pages.map((p) => encodeSymbols(p)),
    commands: reg.commands.map(({ name, group, description, usage }) => ({
      name,
      description,
      ...(group !== undefined ? { group } : {}),
      ...(usage !== undefined ? { usage } : {}),
    })),
    services: [...reg.services.keys()],
    extensions: reg.extensions.map((e, index) => ({
      point: e.point,
      index,
      methods: methodNames(e.implementation),
      values: dataValues(e.implementation),
    })),
    socket,
  };
}
