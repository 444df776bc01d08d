/** At most `size()` orders at once in this process; the rest wait their turn in order. */
export class Slots {
  #busy = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly size: () => number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busy >= this.size()) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy += 1;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy -= 1;
    }
  }
}
