interface Waiter {
  grant: () => void;
  fail: (reason: unknown) => void;
}

/** A counting semaphore whose waiters can give up through an AbortSignal. FIFO. */
export class ContextSlots {
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxContexts must be a positive integer, got ${max}`);
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.max) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    // Hand the slot straight to the next waiter so a newcomer cannot overtake it.
    if (next) next.grant();
    else this.#active = Math.max(0, this.#active - 1);
  }

  /** Fails every waiter (used on shutdown). */
  failAll(reason: unknown): void {
    for (const waiter of this.#waiting.splice(0)) waiter.fail(reason);
  }
}
