/**
 * One side of the call protocol (protocol.ts): numbered calls with one result each, a time
 * limit per call, and every pending call rejected when the channel closes. Used by the child
 * over `process` and by the kernel over the ChildProcess.
 */
import { toWireError, type WireError } from './codec.js';
import type { CallMessage, ResultMessage, WireMessage } from './protocol.js';

/** A handler for calls from the other side. */
export type CallHandler = (method: string, params: unknown, callId: number) => Promise<unknown>;

/** How a channel is sent on. */
export type Send = (message: WireMessage) => boolean;

/** A call error re-made on this side: same name, code, status and details. */
export class RemoteError extends Error {
  readonly code?: string;
  readonly statusCode?: number;
  readonly details?: unknown;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name === 'HostplaneError' ? 'HostplaneError' : wire.name;
    if (wire.code !== undefined) this.code = wire.code;
    if (wire.statusCode !== undefined) this.statusCode = wire.statusCode;
    if (wire.details !== undefined) this.details = wire.details;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export class Peer {
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #closedWith: (() => Error) | undefined;

  constructor(
    private readonly send: Send,
    private readonly handler: CallHandler,
  ) {}

  /** Call `method` on the other side; rejects after `timeoutMs` (0: no limit) or when the channel closes. */
  call<T = unknown>(method: string, params: unknown, timeoutMs = 0, onTimeout?: () => Error): Promise<T> {
    if (this.#closedWith) return Promise.reject(this.#closedWith());
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(id);
              reject(onTimeout ? onTimeout() : new Error(`call "${method}" took longer than ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      const message: CallMessage = { t: 'call', id, method, params };
      try {
        this.send(message);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Feed a message from the channel; returns false for messages that are not calls or results. */
  receive(message: WireMessage): boolean {
    if (message.t === 'result') {
      const pending = this.#pending.get(message.id);
      if (!pending) return true; // answered after its time limit: dropped
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new RemoteError(message.error));
      return true;
    }
    if (message.t === 'call') {
      void this.#answer(message);
      return true;
    }
    return false;
  }

  async #answer(message: CallMessage): Promise<void> {
    let result: ResultMessage;
    try {
      result = { t: 'result', id: message.id, ok: true, value: await this.handler(message.method, message.params, message.id) };
    } catch (error) {
      result = { t: 'result', id: message.id, ok: false, error: toWireError(error) };
    }
    try {
      this.send(result);
    } catch (error) {
      // A value that cannot be cloned becomes an error the caller can read.
      try {
        this.send({ t: 'result', id: message.id, ok: false, error: toWireError(error) });
      } catch {
        // The channel is gone.
      }
    }
  }

  /** Reject every pending call (the channel closed) and refuse new ones with `error()`. */
  close(error: () => Error): void {
    this.#closedWith = error;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error());
      this.#pending.delete(id);
    }
  }
}
