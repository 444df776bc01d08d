/**
 * The program an isolated plugin runs in: `node <permission flags> runner.js`, started by the
 * kernel's supervisor as the plugin's own system user with a scrubbed environment. It imports
 * the plugin (which brings its SDK) and, when the plugin declared them, Fastify for its routes
 * and knex for its database; of the kernel only the plugin migrator's files (see `migrate`).
 */
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { MigrationAction } from '../../db/migration-runner.js';
import { encodeSymbols } from './codec.js';
import {
  childRuntimeContext,
  childSetupContext,
  describeRegistrations,
  emptyChildRegistrations,
  type ChildRegistrations,
} from './context.js';
import { createChildLogger } from './logger.js';
import { describeMails, renderMail } from './mail-render.js';
import { Peer } from './peer.js';
import type {
  InitParams,
  JobRunParams,
  MailRenderParams,
  PluginDescription,
  RegistrationsDescriptor,
  WireMessage,
} from './protocol.js';
import { listenRoutes, type ChildRoutes } from './routes.js';
import { publicMethod } from './methods.js';
import { childServices, remoteService } from './services.js';

const PLUGIN_BRAND = Symbol.for('hostplane.plugin');

type Definition = Record<string, unknown> & {
  id: string;
  sdk: string;
  deps?: Record<string, { id: string; capability?: string }>;
  setup?(ctx: unknown): unknown;
  start?(ctx: unknown): unknown;
  stop?(ctx: unknown): unknown;
};

function send(message: WireMessage): boolean {
  if (!process.send) throw new Error('the runner must be started with an IPC channel');
  return process.send(message);
}

const logger = createChildLogger((m) => {
  try {
    send(m);
  } catch {
    // A line that cannot be cloned is lost rather than the process.
  }
});

let init: InitParams | undefined;
let definition: Definition | undefined;
let reg: ChildRegistrations = emptyChildRegistrations();
let services = new Map<string, () => unknown>();
let config: Record<string, unknown> = {};
let knex: Knex | undefined;
let routes: ChildRoutes | undefined;
const abort = new AbortController();

// Node ≥ 22.1: keep the compiled code of the plugin, the SDK and Fastify between starts, in the
// plugin's own folder (its working directory, the only place it may write). Node 20 skips it.
try {
  (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(join(process.cwd(), '.compile-cache'));
} catch {
  // A cache it cannot keep only makes the next start as slow as this one.
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} before load`);
  return value;
}

function contextInput() {
  const i = required(init, 'context');
  return {
    id: i.pluginId,
    version: i.version,
    config,
    logger,
    capabilities: new Set(i.capabilities),
    services,
    own: reg.services,
    remote: (refId: string) => remoteService(peer, refId),
  };
}

/** A call from the kernel on one of this plugin's services or extension implementations. */
async function callImplementation(target: unknown, what: string, method: string, args: unknown): Promise<unknown> {
  const fn = publicMethod(target, method);
  if (!fn)
    throw Object.assign(new Error(`${what} has no method "${method}"`), {
      code: 'KERNEL_ERR_SERVICE_NOT_DECLARED',
      statusCode: 500,
    });
  return fn.apply(target, Array.isArray(args) ? args : []);
}

function runtimeContext() {
  return childRuntimeContext(contextInput(), definition?.deps, abort.signal, (state, reason) =>
    send({ t: 'health', state: state as 'ok' | 'degraded', reason }),
  );
}

async function load(params: InitParams): Promise<PluginDescription> {
  init = params;
  const mod = (await import(pathToFileURL(params.entry).href)) as { default?: unknown };
  const value = mod.default as Definition | undefined;
  if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[PLUGIN_BRAND] !== true) {
    throw new Error(`${params.entry} must default-export definePlugin({...})`);
  }
  definition = value;
  // What setup will use is loaded now, so that setup's time limit measures the plugin's code.
  if (params.database) {
    const { default: createKnex } = await import('knex');
    knex = createKnex({ client: 'pg', connection: params.database.url, pool: { min: 0, max: params.database.pool } });
  }
  if (params.capabilities.includes('http:routes')) await import('fastify');
  return {
    id: value.id,
    sdk: value.sdk,
    permissions: (value.permissions as string[] | undefined) ?? [],
    requires: (value.requires as Record<string, string> | undefined) ?? {},
    provides: (value.provides as string[] | undefined) ?? [],
    rbac: (encodeSymbols(value.rbac ?? {}) as Record<string, unknown>) ?? {},
    limits: (value.limits as string[] | undefined) ?? [],
    config: encodeSymbols(value.config ?? null) ?? null,
    migrations: value.migrations instanceof URL ? value.migrations.href : null,
    mails: describeMails(value.mails),
  };
}

async function setup(params: { config: Record<string, unknown> }): Promise<RegistrationsDescriptor> {
  const i = required(init, 'setup');
  const def = required(definition, 'setup');
  config = params.config;
  reg = emptyChildRegistrations();
  services = childServices({
    pluginId: i.pluginId,
    peer,
    logger,
    capabilities: new Set(i.capabilities),
    knex,
    tasks: reg.tasks,
    jobMaxAttempts: (name) => reg.jobs.get(name)?.maxAttempts,
  });
  await def.setup?.(childSetupContext(contextInput(), reg, def.deps));
  let socket: string | null = null;
  if (reg.routes.length > 0) {
    // One socket per process: a CLI command sets the plugin up in a second process beside the
    // running one, which must keep its own.
    socket = join(i.dataDir, `${process.pid}.sock`);
    routes = await listenRoutes(reg.routes, socket, logger);
  }
  return describeRegistrations(reg, routes?.routes ?? [], socket);
}

async function stop(params: { reason: string }): Promise<void> {
  abort.abort();
  try {
    await definition?.stop?.({ ...runtimeContext(), reason: params.reason });
  } finally {
    await routes?.close();
    await knex?.destroy();
  }
}

let migrating: AbortController | undefined;

/**
 * The plugin's migrations, here in its process rather than in the host's (a migration is the
 * plugin's code). The kernel's own plugin migrator runs them, so bookkeeping, locking and errors
 * are those of an in-process plugin; its four files are the only kernel modules this process
 * may read (read-allow-list.ts).
 */
async function migrate(params: { action: string; database: { url: string } }): Promise<string[]> {
  const i = required(init, 'migrate');
  const def = required(definition, 'migrate');
  if (!(def.migrations instanceof URL)) return [];
  const { migratePlugin } = await import('../../db/plugin-migrator.js');
  // A plugin without the `db` capability has no pool of its own: one for this run (two connections: cancelling takes a second).
  let own: Knex | undefined;
  if (!knex) {
    const { default: createKnex } = await import('knex');
    own = createKnex({ client: 'pg', connection: params.database.url, pool: { min: 0, max: 2 } });
  }
  migrating = new AbortController();
  try {
    return await migratePlugin((knex ?? own) as Knex, {
      pluginId: i.pluginId,
      directory: def.migrations,
      action: params.action as MigrationAction,
      signal: migrating.signal,
    });
  } finally {
    migrating = undefined;
    await own?.destroy();
  }
}

async function runJob(params: JobRunParams): Promise<void> {
  const job = reg.jobs.get(params.name);
  if (!job) throw new Error(`no job "${params.name}" in this plugin`);
  const jobLogger = (logger as { child(b: object): unknown }).child({ job: params.name, jobId: params.job.id });
  await job.handler(
    params.payload as never,
    {
      ...params.job,
      logger: jobLogger,
      progress: (fraction: number, message?: string) => peer.call('job.progress', { jobId: params.job.id, fraction, message }),
    } as never,
  );
}

async function runCommand(params: { name: string; group?: string; args: string[]; token: number }): Promise<unknown> {
  const command = reg.commands.find((c) => c.name === params.name && c.group === params.group);
  if (!command) throw new Error(`no command "${params.name}"`);
  const io = {
    out: (text: string) => send({ t: 'io', call: params.token, stream: 'out', text: String(text) }),
    err: (text: string) => send({ t: 'io', call: params.token, stream: 'err', text: String(text) }),
  };
  return command.run(params.args as never, io as never, runtimeContext() as never);
}

const peer = new Peer(send, async (method, params) => {
  const p = params as Record<string, unknown>;
  switch (method) {
    case 'load':
      return load(params as InitParams);
    case 'setup':
      return setup(params as { config: Record<string, unknown> });
    case 'start':
      await required(definition, 'start').start?.(runtimeContext());
      return null;
    case 'stop':
      await stop(params as { reason: string });
      return null;
    case 'event.before':
      await reg.before[p.index as number]?.hook(p.payload as never);
      return null;
    case 'event.after':
      await reg.after[p.index as number]?.handler(p.payload as never);
      return null;
    case 'service.call': {
      const factory = reg.services.get(String(p.id));
      if (!factory) throw new Error(`no service "${String(p.id)}" in this plugin`);
      return callImplementation(factory(), `service "${String(p.id)}"`, String(p.method), p.args);
    }
    case 'extension.call': {
      const extension = reg.extensions[Number(p.index)];
      if (!extension) throw new Error(`no extension implementation #${String(p.index)} in this plugin`);
      return callImplementation(extension.implementation, `"${extension.point}" implementation`, String(p.method), p.args);
    }
    case 'migrate':
      return migrate(params as { action: string; database: { url: string } });
    case 'migrate.cancel':
      migrating?.abort();
      return null;
    case 'mail.render':
      return renderMail(required(definition, 'mail.render').mails, params as MailRenderParams);
    case 'job.run':
      await runJob(params as JobRunParams);
      return null;
    case 'command.run':
      return (await runCommand(params as { name: string; group?: string; args: string[]; token: number })) ?? 0;
    default:
      throw new Error(`unknown call "${method}"`);
  }
});

process.on('message', (message: WireMessage) => {
  peer.receive(message);
});
// The kernel went away (or closed the channel to end us): nothing here may outlive it.
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl-C or a service manager signals the whole process group: the host drains its
// requests first and ends this process itself (closing the channel), so these are not for us.
process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);
process.on('unhandledRejection', (reason) => {
  (logger as { error(o: unknown, m: string): void }).error({ err: reason }, 'unhandled rejection in plugin');
});

// Start loading what setup will need while the kernel is still sending `load`.
for (const name of (process.argv[3] ?? '').split(',')) {
  if (name === 'fastify' || name === 'knex') void import(name).catch(() => undefined);
}

const beatMs = Number(process.argv[2] ?? 1000);
const beat = () => send({ t: 'beat', rss: process.memoryUsage.rss() });
setInterval(beat, beatMs > 0 ? beatMs : 1000);
beat();
