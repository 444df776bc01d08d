/**
 * The plugin contract: `definePlugin({...})` is the default export of every plugin package.
 */
import type { Static, TObject, TSchema, SchemaOptions } from '@sinclair/typebox';
import { Type } from '#typebox';
import type { AfterHandler, BeforeHook, EventName } from './events.js';
import type { ExtensionPoint } from './extension-points.js';
import type { Role, RouteOptions, RouteRegistrar } from './http.js';
import type { JobDefinitionOptions, JobHandler, ScheduleDefinition } from './jobs.js';
import type { Logger } from './logger.js';
import type { AnyMailTemplate } from './mail-templates.js';
import type { PanelPageDefinition } from './panel.js';
import type { KernelCapability, ResolvedServices, ServiceRef } from './service-ref.js';

/** An RBAC permission a plugin defines for users, with the roles granted it by default. */
export interface RbacPermissionDefinition {
  description: string;
  /** Roles that hold it by default (`super_admin` always does). */
  roles?: Role[];
}

/**
 * The static manifest under `"hostplane"` in a plugin's `package.json`: readable without
 * running code, for listing and permission review. The kernel refuses a plugin whose
 * definition disagrees with it.
 */
export interface PluginManifest {
  /** `[a-z][a-z0-9-]*` */
  id: string;
  /** SDK range the plugin was built for, e.g. `^0.1.0`. */
  sdk: string;
  displayName?: string;
  description?: string;
  /** Module with the default-exported definition, relative to the package (default: package `main`). */
  entry?: string;
  /** Other plugins this one needs, id → semver range. */
  requires?: Record<string, string>;
  /** Extension points it implements. */
  provides?: string[];
  /** Kernel capabilities it asks for. */
  permissions?: KernelCapability[];
  /**
   * Where the plugin's code runs. Third-party plugins always run in their own process (as their
   * own system user, under Node's permission model); a first-party plugin may ask for that too
   * with `process`. Only the admin can run a third-party plugin `in-process`.
   */
  isolation?: 'process' | 'in-process';
  /** What its database role shares with other plugins and reads of theirs. */
  database?: PluginDatabaseAccess;
}

/**
 * Data one plugin's database role shares with another's. Each plugin's role owns only its own
 * schema `plugin_<id>`; what another plugin may read of it is named on both sides, in the static
 * manifests an admin reviews: the provider lists it in `shares`, the consumer (which must
 * `require` the provider) in `reads`. The kernel grants exactly that, read-only, and nothing
 * else: share a view to expose some columns or rows only.
 *
 * @example
 * ```json
 * // accounts:  "database": { "shares": ["subscriptions", "packages"] }
 * // websites:  "requires": { "accounts": "^0.1.0" },
 * //            "database": { "reads": { "accounts": ["subscriptions", "packages"] } }
 * ```
 */
export interface PluginDatabaseAccess {
  /** Tables or views of the plugin's own schema that plugins requiring it may read (`[a-z_][a-z0-9_]*`). */
  shares?: string[];
  /** Shared tables or views of required plugins it reads: plugin id → names the provider `shares`. */
  reads?: Record<string, string[]>;
}

/** What every context gives: identity, config, logger, services. */
export interface PluginContextBase<TConfig, TDeps> {
  readonly id: string;
  readonly version: string;
  /** Validated config, defaults applied. */
  readonly config: TConfig;
  /** Logger bound to `plugin: <id>`. */
  readonly logger: Logger;
  /** The services named in `deps`, resolved. */
  readonly deps: TDeps;
  /**
   * Resolve a service by ref. Throws `KERNEL_ERR_SERVICE_NOT_DECLARED` when the plugin did not
   * declare the capability the service needs, or does not `require` the plugin providing it.
   */
  get<T>(ref: ServiceRef<T>): T;
}

/** What `setup` receives: register everything here, do no I/O. */
export interface SetupContext<TConfig = unknown, TDeps = Record<string, never>> extends PluginContextBase<TConfig, TDeps> {
  /** Register HTTP routes under `/v1/<id>` (or `options.prefix`). Needs `http:routes`. */
  routes(registrar: RouteRegistrar, options?: RouteOptions): void;
  /** Observe an event after it happened. Needs `events:subscribe`. */
  on<E extends EventName>(event: E, handler: AfterHandler<E>): void;
  /** Run before an action; throw to veto it. Needs `events:subscribe`. */
  before<E extends EventName>(event: E, hook: BeforeHook<E>): void;
  /** Define a durable job `<id>:<name>`. Needs `jobs`. */
  job<P>(name: string, handler: JobHandler<P>, options?: JobDefinitionOptions): void;
  /** Define a cron schedule `<id>:<name>`; each tick enqueues its job once. Needs `schedules`. */
  schedule<P>(name: string, definition: ScheduleDefinition<P>): void;
  /** Define a worker-pool task `<id>:<name>` from a module exporting a default function. Needs `tasks`. */
  task(name: string, module: URL): void;
  /** Declare a panel page. */
  page(definition: PanelPageDefinition): void;
  /** Offer a service to plugins that `require` this one. The ref id must start with `<id>.`. */
  provide<T>(ref: ServiceRef<T>, factory: () => T): void;
  /** Implement an extension point named in the manifest's `provides`. */
  extend<T>(point: ExtensionPoint<T>, implementation: T): void;
  /** Add a CLI command `hostplane <id> <name>`. */
  command(definition: CommandDefinition<TConfig, TDeps>): void;
}

/** Where a CLI command writes. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
}

/**
 * A command a plugin adds to the CLI: `hostplane <plugin id> <name> [args]`, or with `group`
 * `hostplane <group> <name> [args]`. It runs in the CLI's process with the plugin set up but not
 * started (no `start` hook, no workers). `args` are the raw words after the name (options
 * included: the command parses its own, e.g. with `node:util`'s `parseArgs`).
 */
export interface CommandDefinition<TConfig = unknown, TDeps = Record<string, never>> {
  /** kebab-case. */
  name: string;
  /**
   * A top-level group (kebab-case) the command appears under instead of the plugin id, e.g.
   * `packages` → `hostplane packages list`. Several plugins may add to one group; a built-in
   * command of the same name keeps its own subcommands and passes the others on.
   */
  group?: string;
  /** One line for `hostplane help`. */
  description: string;
  /** Arguments as shown in usage, e.g. `<email>`. */
  usage?: string;
  /** Return the exit code (0 when omitted); throw a HostplaneError for a clear failure. */
  run(args: string[], io: CommandIO, ctx: RuntimeContext<TConfig, TDeps>): Promise<number | void> | number | void;
}

/** What `start` and `stop` receive. */
export interface RuntimeContext<TConfig = unknown, TDeps = Record<string, never>> extends PluginContextBase<TConfig, TDeps> {
  /** Aborted when the plugin is being stopped. */
  readonly signal: AbortSignal;
  /**
   * Tell the platform whether the plugin can do its work. `degraded` keeps it started (its
   * routes answer) but shows the reason on `/health`, in `GET /v1/admin/plugins` and the panel,
   * e.g. a web server driver whose binaries are missing. Report `ok` once it recovers.
   */
  reportHealth(state: PluginHealthState, reason?: string): void;
}

/**
 * Why `stop` is called. `disable`: the plugin is disabled (or failed) and will not run here until
 * enabled again, so end everything it runs. `shutdown`: the host process is stopping (SIGTERM,
 * a restart, an upgrade) and the plugin stays enabled: work that must outlive the process (a
 * daemon serving customers) may keep running, to be adopted by the next `start`.
 * `reconfigure`: its config changed and `start` follows at once with the new config.
 */
export type StopReason = 'disable' | 'shutdown' | 'reconfigure';

/** What `stop` receives. */
export interface StopContext<TConfig = unknown, TDeps = Record<string, never>> extends RuntimeContext<TConfig, TDeps> {
  /** Why the plugin stops: see {@link StopReason}. */
  readonly reason: StopReason;
}

/** A started plugin's own view of whether it can work. */
export type PluginHealthState = 'ok' | 'degraded';

/** Health a plugin reported, with when. */
export interface PluginHealth {
  state: PluginHealthState;
  reason: string | null;
  at: string;
}

/** Everything a plugin is. */
export interface PluginDefinition<
  TConfig extends TObject = TObject,
  TDeps extends Record<string, ServiceRef<unknown>> = Record<string, never>,
> {
  /** Must equal the manifest's id. */
  id: string;
  /** Must match the manifest's `sdk`. */
  sdk: string;
  requires?: Record<string, string>;
  provides?: string[];
  /** Config schema (TypeBox). Mark secrets with {@link Secret}. */
  config?: TConfig;
  /** Kernel capabilities; must be a subset of the manifest's `permissions`. */
  permissions?: KernelCapability[];
  /**
   * Data its database role shares and reads (see {@link PluginDatabaseAccess}); must be a subset
   * of the manifest's `database`. What a discovered plugin's role gets comes from the manifest.
   */
  database?: PluginDatabaseAccess;
  /** RBAC permissions this plugin defines. */
  rbac?: Record<string, RbacPermissionDefinition>;
  /**
   * Subscription limit keys this plugin enforces (it calls `limits.assert` for them), e.g.
   * `['websites', 'domains']`. While it is started, `limits.enforced()` lists them and the panel
   * shows those quotas; a limit no started plugin enforces is not shown (it would promise nothing).
   */
  limits?: string[];
  /** Services resolved into `ctx.deps`. */
  deps?: TDeps;
  /** Folder of knex migrations (`.js` files), run in `plugin_<id>` before `start`. */
  migrations?: URL;
  /**
   * The mail templates it sends (ids must start with `<id>.`), listed and previewed for admins;
   * send them with `mailer.sendTemplate`.
   */
  mails?: AnyMailTemplate[];
  /** Register routes, handlers, jobs … No I/O. */
  setup?(ctx: SetupContext<Static<TConfig>, ResolvedServices<TDeps>>): void | Promise<void>;
  /** Begin I/O that lives while the plugin is enabled. */
  start?(ctx: RuntimeContext<Static<TConfig>, ResolvedServices<TDeps>>): void | Promise<void>;
  /** End what `start` began; `ctx.reason` says whether the plugin is disabled or the host stops. */
  stop?(ctx: StopContext<Static<TConfig>, ResolvedServices<TDeps>>): void | Promise<void>;
}

/** Brand the kernel checks to know a default export is a plugin definition. */
export const PLUGIN_BRAND = Symbol.for('hostplane.plugin');

/** A definition as returned by {@link definePlugin}. */
export type DefinedPlugin<
  TConfig extends TObject = TObject,
  TDeps extends Record<string, ServiceRef<unknown>> = Record<string, never>,
> = PluginDefinition<TConfig, TDeps> & { readonly [PLUGIN_BRAND]: true };

/**
 * Define a plugin. Types flow from `config` and `deps` into every context.
 *
 * @example
 * ```ts
 * export default definePlugin({
 *   id: 'hello', sdk: '^0.1.0', permissions: ['http:routes'],
 *   config: Type.Object({ greeting: Type.String({ default: 'Hello' }) }),
 *   setup(ctx) {
 *     ctx.routes((app) => app.get('/', { config: { public: true } }, () => ({ text: ctx.config.greeting })));
 *   },
 * });
 * ```
 */
export function definePlugin<
  TConfig extends TObject = TObject,
  TDeps extends Record<string, ServiceRef<unknown>> = Record<string, never>,
>(definition: PluginDefinition<TConfig, TDeps>): DefinedPlugin<TConfig, TDeps> {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

/** True for a value made by {@link definePlugin} (in any copy of the SDK). */
export function isDefinedPlugin(value: unknown): value is DefinedPlugin<TObject, Record<string, ServiceRef<unknown>>> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}

/** Mark a config field secret: masked in listings and logs, write-only through the API. */
export function Secret<T extends TSchema>(schema: T, options: SchemaOptions = {}): T {
  return { ...schema, ...options, secret: true, writeOnly: true } as T;
}

/** True when a config schema field is marked {@link Secret}. */
export function isSecretSchema(schema: TSchema): boolean {
  return (schema as { secret?: unknown }).secret === true;
}

export { Type };
