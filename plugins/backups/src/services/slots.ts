/**
 * A bound on backups and restores running at once in this host process (one per server), so a
 * nightly run of every site does not start hundreds of restic processes. A job that finds no
 * free slot is not kept waiting in a worker: it is queued again a little later (runner.ts).
 */
export class Slots {
  #busy = 0;

  constructor(private readonly size: () => number) {}

  /** Take a slot, or null when all are busy; call the returned function to give it back (once). */
  tryTake(): (() => void) | null {
    if (this.#busy >= this.size()) return null;
    this.#busy += 1;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#busy -= 1;
    };
  }

  get busy(): number {
    return this.#busy;
  }
}
