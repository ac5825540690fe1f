// Exactly-once side effects in a client application that has no idempotency of its own: every
// write carries a reference derived from the run and step, and the bot looks for that reference
// before writing. A retry after a crash that happened after the write finds it and does not write
// again.
export interface OnceOptions<T> {
  /** Looks for a write carrying this reference; returns what was written, or null. */
  find(): Promise<T | null>;
  /** Performs the write; must record the reference in the client application. */
  perform(): Promise<T>;
}

export async function performOnce<T>(options: OnceOptions<T>): Promise<{ value: T; performed: boolean }> {
  const existing = await options.find();
  if (existing !== null) return { value: existing, performed: false };
  return { value: await options.perform(), performed: true };
}
