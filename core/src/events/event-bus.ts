/**
 * Typed, in-process events. `before` hooks run in registration order and may veto by throwing;
 * `after` handlers observe, run concurrently, and their errors are isolated (logged and
 * reported against the plugin that registered them) so one plugin cannot break another's action.
 * Each call runs under a time limit: a hook past it vetoes (KERNEL_ERR_PHASE_TIMEOUT), a handler
 * past it is logged, reported and abandoned, so neither holds up the emitter any longer.
 */
import { randomUUID } from 'node:crypto';
import type {
  AfterHandler,
  BeforeHook,
  EmitOptions,
  EventMeta,
  EventName,
  EventPayload,
  EventsService,
  Logger,
} from '@hostplane/sdk';
import { DEFAULT_PHASE_LIMITS, isPhaseTimeout, withinLimit } from '../registry/phase-limits.js';

interface Entry<F> {
  owner: string;
  fn: F;
}

/** Called when an `after` handler throws or a call runs past its limit; `phase` is `event:<name>` or `before:<name>`. */
export type HandlerErrorReporter = (owner: string, phase: string, error: unknown) => void;

/** The bus the kernel owns; plugins receive a per-plugin {@link EventsService} view. */
export class EventBus {
  private readonly before = new Map<string, Array<Entry<BeforeHook<EventName>>>>();
  private readonly after = new Map<string, Array<Entry<AfterHandler<EventName>>>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly onHandlerError: HandlerErrorReporter = () => {},
    /** Milliseconds one hook or handler call may take. */
    private readonly handlerLimit: number = DEFAULT_PHASE_LIMITS.handler,
  ) {}

  /** Register a veto-capable hook for `owner`. */
  addBefore<E extends EventName>(owner: string, event: E, hook: BeforeHook<E>): void {
    const list = this.before.get(event) ?? [];
    list.push({ owner, fn: hook as unknown as BeforeHook<EventName> });
    this.before.set(event, list);
  }

  /** Register an observer for `owner`. */
  addAfter<E extends EventName>(owner: string, event: E, handler: AfterHandler<E>): void {
    const list = this.after.get(event) ?? [];
    list.push({ owner, fn: handler as unknown as AfterHandler<EventName> });
    this.after.set(event, list);
  }

  /** Drop everything `owner` registered (the plugin was stopped). */
  removeOwner(owner: string): void {
    for (const map of [this.before, this.after] as Array<Map<string, Array<Entry<unknown>>>>) {
      for (const [event, list] of map)
        map.set(
          event,
          list.filter((e) => e.owner !== owner),
        );
    }
  }

  /** The service a plugin (or `core`) emits through. */
  forSource(source: string): EventsService {
    return {
      guard: (event, payload, options) => this.guard(source, event, payload, options?.requestId),
      emit: (event, payload, options) => this.emit(source, event, payload, options),
    };
  }

  /** Wait until every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private meta(source: string, requestId?: string): EventMeta {
    return requestId ? { id: randomUUID(), at: new Date(), source, requestId } : { id: randomUUID(), at: new Date(), source };
  }

  private async guard<E extends EventName>(
    source: string,
    event: E,
    payload: EventPayload<E>,
    requestId?: string,
  ): Promise<void> {
    const meta = this.meta(source, requestId);
    for (const entry of [...(this.before.get(event) ?? [])]) {
      const call = entry.fn(payload as EventPayload<EventName>, meta);
      try {
        await withinLimit(call, this.handlerLimit, { plugin: entry.owner, phase: `before:${event}` });
      } catch (error) {
        if (isPhaseTimeout(error)) {
          this.logger.error({ err: error, event, plugin: entry.owner }, 'before hook timed out');
          this.onHandlerError(entry.owner, `before:${event}`, error);
        }
        throw error;
      }
    }
  }

  private emit<E extends EventName>(
    source: string,
    event: E,
    payload: EventPayload<E>,
    options: EmitOptions = {},
  ): Promise<void> {
    const meta = this.meta(source, options.requestId);
    const deliver = async (): Promise<void> => {
      const handlers = [...(this.after.get(event) ?? [])];
      await Promise.all(
        handlers.map(async (entry) => {
          try {
            const call = entry.fn(payload as EventPayload<EventName>, meta);
            await withinLimit(call, this.handlerLimit, { plugin: entry.owner, phase: `event:${event}` });
          } catch (error) {
            this.logger.error({ err: error, event, plugin: entry.owner }, 'event handler failed');
            this.onHandlerError(entry.owner, `event:${event}`, error);
          }
        }),
      );
    };
    // Inside a transaction the caller's callback is still running: waiting for the commit here
    // would deadlock, so delivery is scheduled for after commit and emit returns at once.
    const run = options.trx ? options.trx.executionPromise.then(deliver, () => undefined) : deliver();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return options.trx ? Promise.resolve() : run;
  }
}
