/**
 * Records the events a test cares about, as any plugin's `after` handler would see them: the
 * payload and the meta (source plugin, request id), in the order they were delivered.
 */
import type { AfterHandler, EventName, EventPayload } from '@hostplane/sdk';

/** One delivered event; for several names, a union narrowed by `event`. */
export type RecordedEvent<E extends EventName = EventName> = E extends EventName
  ? {
      event: E;
      payload: EventPayload<E>;
      /** Who emitted it (`core` or a plugin id). */
      source: string;
      requestId?: string;
      at: Date;
    }
  : never;

/** `host.recordEvents(...)`. */
export interface EventRecorder<R extends EventName = EventName> {
  /** Everything recorded so far, oldest first. */
  readonly events: ReadonlyArray<RecordedEvent<R>>;
  /** Those of one event name. */
  of<E extends R>(event: E): Array<RecordedEvent<E>>;
  /**
   * Wait until an event `event` (matching `predicate`, if given) has been recorded, or reject after
   * `timeoutMs` (default 5000) naming what was recorded instead. Resolves at once for one already there.
   */
  waitFor<E extends R>(
    event: E,
    predicate?: (payload: EventPayload<E>) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedEvent<E>>;
  /** Forget what was recorded (keep recording). */
  clear(): void;
  /** Stop recording. */
  stop(): void;
}

/** The parts of the kernel's event bus the recorder uses. */
export interface EventTap {
  addAfter<E extends EventName>(owner: string, event: E, handler: AfterHandler<E>): void;
  removeOwner(owner: string): void;
}

let recorders = 0;

/** Start recording `names` on `bus`. */
export function recordEvents<R extends EventName>(bus: EventTap, names: readonly R[]): EventRecorder<R> {
  if (names.length === 0) throw new TypeError('recordEvents needs at least one event name');
  recorders += 1;
  // An owner no plugin id can be (ids are [a-z][a-z0-9-]*), so no plugin's stop removes it.
  const owner = `@testing/recorder-${recorders}`;
  const events: Array<RecordedEvent<R>> = [];
  const waiters = new Set<() => void>();
  for (const name of new Set(names)) {
    bus.addAfter(owner, name, (payload, meta) => {
      const entry = {
        event: name,
        payload,
        source: meta.source,
        at: meta.at,
        ...(meta.requestId ? { requestId: meta.requestId } : {}),
      };
      events.push(entry as RecordedEvent<R>);
      for (const wake of waiters) wake();
    });
  }
  const find = <E extends R>(event: E, predicate?: (payload: EventPayload<E>) => boolean) =>
    // The recorded union is narrowed by name here, which TypeScript cannot follow through a generic.
    (events as unknown as Array<{ event: E; payload: EventPayload<E> }>).find(
      (e) => e.event === event && (!predicate || predicate(e.payload)),
    ) as RecordedEvent<E> | undefined;
  return {
    events,
    of: <E extends R>(event: E) => (events as unknown as Array<RecordedEvent<E>>).filter((e) => e.event === event),
    waitFor(event, predicate, timeoutMs = 5000) {
      if (!names.includes(event)) return Promise.reject(new Error(`this recorder does not record "${event}"`));
      const found = find(event, predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const wake = () => {
          const hit = find(event, predicate);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          const seen = events.map((e) => e.event).join(', ') || 'nothing';
          reject(new Error(`no matching "${event}" within ${timeoutMs} ms (recorded: ${seen})`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    clear: () => void events.splice(0),
    stop: () => bus.removeOwner(owner),
  };
}
