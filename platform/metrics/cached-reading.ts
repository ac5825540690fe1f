// A value read from a backing service at scrape time, kept for `ttlMs` so that scrapes (several
// Prometheus replicas, a dashboard refresh) do not each hit Temporal or Redis. Concurrent callers
// share one read; a failed read is not kept.
export class CachedReading<T> {
  private value?: { at: number; data: T };
  private pending?: Promise<T>;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return this.value.data;
    this.pending ??= this.read()
      .then((data) => {
        this.value = { at: this.now(), data };
        return data;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
