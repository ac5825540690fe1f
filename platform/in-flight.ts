// Calls a component starts and may leave running past the request that started them (a probe
// raced against a timeout). The Temporal client's retry interceptor starts each retry from a timer,
// so a call still retrying when its connection closes throws "Channel has been shut down" out of
// that timer, in whatever process closed the connection. Owners close in order: settle, then close.
export class InFlight {
  private readonly calls = new Set<Promise<unknown>>();

  /** Remembers `call` until it settles, and returns it. */
  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    const forget = () => this.calls.delete(call);
    call.then(forget, forget);
    return call;
  }

  get size(): number {
    return this.calls.size;
  }

  /** Resolves once every tracked call has settled, however it ended. */
  async settled(): Promise<void> {
    while (this.calls.size) await Promise.allSettled([...this.calls]);
  }
}

/** Like Promise.all, but waits for every call to settle before it rejects with the first failure,
 *  so no sibling is left running behind a failed reading. */
export async function allSettledOrThrow<T>(calls: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
