/**
 * Typed handles for services. A plugin never looks a service up by a bare string: it names a
 * {@link ServiceRef}, and the type of what it gets back travels with the ref.
 */

/** Kernel capabilities a plugin may ask for in its manifest's `permissions`. */
export type KernelCapability =
  | 'db'
  | 'http:routes'
  | 'events:subscribe'
  | 'events:emit'
  | 'jobs'
  | 'schedules'
  | 'tasks'
  | 'mailer'
  | 'audit'
  /** Read the whole audit log (`hostplane.audit_log`) through the plugin's `db` role; `audit` only writes. */
  | 'audit:read'
  | 'settings'
  | 'users'
  | 'limits'
  | `exec:${string}`
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
