/**
 * Queueing the reconciler after committed changes, once for a burst of them.
 *
 * Every create, update and delete wants the one reconcile job queued after its commit. The job
 * reads the whole desired state when it runs, so one enqueue issued after the last of a burst of
 * commits serves them all; each enqueue is a statement, and on this platform a statement's
 * round trip is the largest single cost of a create (bench/websites-create.ts).
 */
export class CoalescedEnqueue {
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(private readonly enqueue: () => Promise<void>) {}

  /**
   * Resolves when an enqueue issued after this call has finished (rejects with its error). Calls
   * made while one is in flight share a single follow-up: the one in flight may have been issued
   * before their commits.
   */
  request(): Promise<void> {
    if (!this.#running) return this.#start();
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.#start();
      });
    return this.#next;
  }

  #start(): Promise<void> {
    const run: Promise<void> = this.enqueue().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }
}
