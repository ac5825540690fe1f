import { z } from 'zod';

/** Misbehaviours of a real client system, switchable at runtime so tests can provoke them. */
export const QuirksSchema = z
  .object({
    /** Chance (0–1) that a page is delayed by `slowPageDelayMs`. Default 0. */
    slowPageProbability: z.number().min(0).max(1),
    /** Delay of a slow page. Default 2000. */
    slowPageDelayMs: z.number().int().min(0).max(120_000),
    /** Idle time after which a session is gone. Default 15 minutes. */
    sessionTtlMs: z.number().int().min(1),
    /** Delay between recording an adjudication and answering: the "did my submit land?" case. Default 0. */
    submitResponseDelayMs: z.number().int().min(0).max(600_000),
    /** The next N non-admin requests answer 500. Default 0. */
    failNextRequests: z.number().int().min(0).max(1_000),
  })
  .strict();

export type Quirks = z.infer<typeof QuirksSchema>;

export const PartialQuirksSchema = QuirksSchema.partial();

export const DEFAULT_QUIRKS: Quirks = {
  slowPageProbability: 0,
  slowPageDelayMs: 2_000,
  sessionTtlMs: 15 * 60_000,
  submitResponseDelayMs: 0,
  failNextRequests: 0,
};

/** mulberry32: tiny, seedable, good enough to make "random" slowness repeatable in tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The live quirks of one app instance plus the random source their choices use. */
export class QuirkState {
  #quirks: Quirks;
  readonly #random: () => number;

  constructor(initial: Partial<Quirks> | undefined, seed: number) {
    this.#quirks = { ...DEFAULT_QUIRKS, ...PartialQuirksSchema.parse(initial ?? {}) };
    this.#random = seededRandom(seed);
  }

  get current(): Quirks {
    return { ...this.#quirks };
  }

  update(patch: Partial<Quirks>): Quirks {
    this.#quirks = { ...this.#quirks, ...patch };
    return this.current;
  }

  /** Consumes one of the pending forced failures, if any. */
  takeFailure(): boolean {
    if (this.#quirks.failNextRequests <= 0) return false;
    this.#quirks.failNextRequests -= 1;
    return true;
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    const { slowPageProbability, slowPageDelayMs } = this.#quirks;
    if (slowPageProbability <= 0) return 0;
    return this.#random() < slowPageProbability ? slowPageDelayMs : 0;
  }
}
