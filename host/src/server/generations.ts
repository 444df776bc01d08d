/**
 * App generations. The set of plugin routes changes at runtime, Fastify's does not after
 * ready(); so each change builds a whole new app, swaps it in once ready, and closes the old
 * one when its last in-flight request has finished. Rebuilds run one at a time, and any number
 * of changes arriving during a build are served by the single build that starts next.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import type { BuiltApp, RequestHandler } from './build-app.js';
import type { HostApp } from './types.js';

/** One built app and the requests it is still answering. */
export interface Generation {
  /** 1 for the first app, then counting up. */
  readonly id: number;
  readonly app: HostApp;
  readonly handler: RequestHandler;
  /** Requests (HTTP or injected) it has not finished. */
  inflight: number;
  /** Replaced by a newer generation; closes when `inflight` reaches 0. */
  retired: boolean;
  /** Set once its close has begun. */
  closed: Promise<void> | null;
}

/** The current generation and the machinery to replace it. */
export class Generations {
  private currentGeneration: Generation;
  private nextId = 1;
  // Tail of the rebuild queue, and the queued rebuild that has not started yet (if any).
  private chain: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | null = null;
  private stopped = false;
  private readonly closing = new Set<Promise<void>>();

  private constructor(
    private readonly build: () => Promise<BuiltApp>,
    private readonly logger: Logger,
    first: BuiltApp,
  ) {
    this.currentGeneration = this.wrap(first);
  }

  /** Build the first generation. Rejects if it cannot be built. */
  static async start(build: () => Promise<BuiltApp>, logger: Logger): Promise<Generations> {
    return new Generations(build, logger, await build());
  }

  /** The generation new requests go to. */
  get current(): Generation {
    return this.currentGeneration;
  }

  /**
   * Ask for a rebuild; resolves when a build that started after this call has been swapped in
   * (or has failed, which is logged and leaves the current generation serving).
   */
  rebuild(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // A rebuild that has not started yet reads the kernel when it starts, so it covers this call.
    if (this.waiting) return this.waiting;
    const next = this.chain.then(() => {
      this.waiting = null;
      return this.swap();
    });
    this.waiting = next;
    this.chain = next;
    return next;
  }

  /**
   * Hand an HTTP request to the current generation, counting it as in flight; the caller calls
   * the returned function when the response has closed (one 'close' listener serves both).
   */
  dispatch(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]): () => void {
    const generation = this.currentGeneration;
    this.enter(generation);
    generation.handler(req, res);
    return () => this.leave(generation);
  }

  /** `inject()` on the current generation, counted like an HTTP request. */
  async inject(options: InjectOptions | string): Promise<LightMyRequestResponse> {
    const generation = this.currentGeneration;
    this.enter(generation);
    try {
      // The TypeBox-typed instance narrows inject's overloads; the plain signature is the same call.
      return await (generation.app as unknown as FastifyInstance).inject(options);
    } finally {
      this.leave(generation);
    }
  }

  /** Stop rebuilding, then close every generation once its requests are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    this.retire(this.currentGeneration);
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }

  private wrap(built: BuiltApp): Generation {
    return { id: this.nextId++, app: built.app, handler: built.handler, inflight: 0, retired: false, closed: null };
  }

  private async swap(): Promise<void> {
    if (this.stopped) return;
    let built: BuiltApp;
    try {
      built = await this.build();
    } catch (err) {
      this.logger.error({ err }, 'could not build the new routes; the previous ones keep serving');
      return;
    }
    if (this.stopped) {
      await built.app.close();
      return;
    }
    const old = this.currentGeneration;
    this.currentGeneration = this.wrap(built);
    this.logger.info({ generation: this.currentGeneration.id }, 'routes rebuilt');
    this.retire(old);
  }

  private enter(generation: Generation): void {
    generation.inflight++;
  }

  private leave(generation: Generation): void {
    generation.inflight--;
    if (generation.retired && generation.inflight === 0) this.close(generation);
  }

  private retire(generation: Generation): void {
    generation.retired = true;
    if (generation.inflight === 0) this.close(generation);
  }

  private close(generation: Generation): void {
    if (generation.closed) return;
    const closed = generation.app.close().then(
      () => undefined,
      (err: unknown) => this.logger.warn({ err, generation: generation.id }, 'old routes did not close cleanly'),
    );
    generation.closed = closed;
    this.closing.add(closed);
    void closed.finally(() => this.closing.delete(closed));
  }
}
