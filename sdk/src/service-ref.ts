/**
 * Typed handles for services. A plugin never looks a service up by a bare string: it names a
 * {@link ServiceRef}, and the type of what it gets back travels with the ref.
 */

/**
 * Kernel capabilities a plugin may ask for in its manifest's `permissions`. The capability table
 * in docs/plugins.md is generated from this type, the `Needs` notes of `SetupContext`'s
 * methods and the refs in `coreServices` (`npm run docs:sdk`).
 */
export type KernelCapability =
  /** Tables of your own in the schema `plugin_<id>`. */
  | 'db'
  /** HTTP routes under `/v1/<id>`, each with a permission. */
  | 'http:routes'
  /** Observe events after they happen, or veto actions before. */
  | 'events:subscribe'
  /** Emit the events you declared (typed by declaration merging). */
  | 'events:emit'
  /** Durable jobs: define, enqueue (in your transaction), read their state. */
  | 'jobs'
  /** Cron schedules that enqueue a job once per tick across all hosts. */
  | 'schedules'
  /** CPU-heavy pure functions on the worker pool. */
  | 'tasks'
  /** Send mail (in development it lands in the outbox table). */
  | 'mailer'
  /** Write audit-log entries. */
  | 'audit'
  /** Read the whole audit log (`hostplane.audit_log`) through the plugin's `db` role; `audit` only writes. */
  | 'audit:read'
  /** Key/value settings private to your plugin. */
  | 'settings'
  /** Secrets your plugin makes and keeps (a repository password), encrypted with the platform's key. */
  | 'secrets'
  /** Platform users: read, create, passwords, status, permissions. */
  | 'users'
  /** Subscription resource limits, counted atomically. */
  | 'limits'
  /** Dump the whole platform database and copy its secret key file (platform backups): reads everything. */
  | 'platform:dump'
  /** Run the program named after `exec:` (e.g. `exec:nginx`); shown to the admin for review; nothing grants or enforces it inside the host process. */
  | `exec:${string}`
  /** Reach the folder named after `fs:` (e.g. `fs:/srv/www`); shown to the admin for review; nothing grants or enforces it inside the host process. */
  | `fs:${string}`;

/**
 * A typed reference to a service held in the kernel's container.
 *
 * @typeParam T - the service's interface.
 */
export interface ServiceRef<T> {
  /** Stable id, `core.<name>` for platform services, `<plugin-id>.<name>` for plugin services. */
  readonly id: string;
  /** The DI token: `Symbol.for('hostplane.<id>')`. */
  readonly token: symbol;
  /** The capability a plugin must declare to receive this service; none for harmless ones. */
  readonly capability?: KernelCapability;
  /** Phantom field carrying `T`; never set at runtime. */
  readonly $type?: T;
}

/** Options of {@link createServiceRef}. */
export interface ServiceRefOptions {
  /** Capability a consumer must declare (platform services only). */
  capability?: KernelCapability;
}

/**
 * Create a typed service reference.
 *
 * @example
 * ```ts
 * export interface GreetingService { greet(name: string): string }
 * export const greetingServiceRef = createServiceRef<GreetingService>('hello.greetings');
 * ```
 */
export function createServiceRef<T>(id: string, options: ServiceRefOptions = {}): ServiceRef<T> {
  if (!/^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/.test(id)) {
    throw new TypeError(`service ref id "${id}" must look like "<owner>.<name>"`);
  }
  const ref: ServiceRef<T> = { id, token: Symbol.for(`hostplane.${id}`) };
  return options.capability ? { ...ref, capability: options.capability } : ref;
}

/** Map a record of refs to the record of their service types. */
export type ResolvedServices<TDeps extends Record<string, ServiceRef<unknown>>> = {
  [K in keyof TDeps]: TDeps[K] extends ServiceRef<infer T> ? T : never;
};
