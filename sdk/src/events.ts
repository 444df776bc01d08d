/**
 * The typed event map. Plugins add their events by declaration merging:
 *
 * ```ts
 * declare module '@hostplane/sdk' {
 *   interface HostplaneEvents {
 *     'greeting.sent': { name: string };
 *   }
 * }
 * ```
 *
 * Names follow `<entity>.<past verb>`. Two kinds of listener exist (as in Directus):
 * `before` hooks run before the action and may veto it by throwing; `after` handlers
 * only observe, run once the action (and its transaction) has committed, and cannot undo it.
 */
export interface HostplaneEvents {
  /** A plugin was enabled by an admin (or at boot from the stored enabled set). */
  'plugin.enabled': { pluginId: string; version: string };
  /** A plugin was disabled by an admin. */
  'plugin.disabled': { pluginId: string };
  /** A plugin failed during setup, migration or start. */
  'plugin.failed': { pluginId: string; phase: string; message: string };
  /** A user was created in the core users table. */
  'user.created': { userId: string; role: string; parentId: string | null };
}

/** Any event name known to the map. */
export type EventName = keyof HostplaneEvents & string;

/** Payload type of event `E`. */
export type EventPayload<E extends EventName> = HostplaneEvents[E];

/** Metadata delivered with each event. */
export interface EventMeta {
  /** Unique id of this emission. */
  id: string;
  /** When it was emitted. */
  at: Date;
  /** Plugin that emitted it, or `core`. */
  source: string;
  /** Request that caused it, when there was one. */
  requestId?: string;
}

/** Observer of an event after it happened. Errors are logged and recorded, never propagated. */
export type AfterHandler<E extends EventName> = (payload: EventPayload<E>, meta: EventMeta) => void | Promise<void>;

/**
 * Hook run before an action. Throw (ideally `CommonErrors.vetoed(...)` or an error of your own)
 * to refuse the action; the emitter receives the error.
 */
export type BeforeHook<E extends EventName> = (payload: EventPayload<E>, meta: EventMeta) => void | Promise<void>;

/** Options of {@link EventsService.emit}. */
export interface EmitOptions {
  /** Deliver only once this transaction commits (nothing at all if it rolls back). */
  trx?: { executionPromise: Promise<unknown> };
  /** Request id to carry in the metadata. */
  requestId?: string;
}

/** The events service a plugin receives (`coreServices.events`). */
export interface EventsService {
  /** Run every `before` hook for `event`; rejects with the first veto. */
  guard<E extends EventName>(event: E, payload: EventPayload<E>, options?: { requestId?: string }): Promise<void>;
  /** Deliver `event` to `after` handlers (after commit when `trx` is given). Resolves once all ran. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>, options?: EmitOptions): Promise<void>;
}
