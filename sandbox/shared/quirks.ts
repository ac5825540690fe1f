import { z } from 'zod';

/**
 * The misbehaviours every sandbox app has, switchable at runtime so tests can provoke them. Each
 * app spreads these fields first into its own strict schema and adds its own quirks after them.
 */
export const commonQuirkFields = {
  /** Chance (0–1) that a page is delayed by `slowPageDelayMs`. Default 0. */
  slowPageProbability: z.number().min(0).max(1),
  /** Delay of a slow page. Default 2000. */
  slowPageDelayMs: z.number().int().min(0).max(120_000),
  /** Idle time after which a session is gone. Default 15 minutes. */
  sessionTtlMs: z.number().int().min(1),
  /** Delay between recording a write and answering: the "did my submit land?" case. Default 0. */
  submitResponseDelayMs: z.number().int().min(0).max(600_000),
  /** The next N non-admin requests answer 500. Default 0. */
  failNextRequests: z.number().int().min(0).max(1_000),
};

export type CommonQuirks = z.infer<z.ZodObject<typeof commonQuirkFields>>;

export const COMMON_QUIRK_DEFAULTS: CommonQuirks = {
  slowPageProbability: 0,
  slowPageDelayMs: 2_000,
  sessionTtlMs: 15 * 60_000,
  submitResponseDelayMs: 0,
  failNextRequests: 0,
};

/** mulberry32: tiny, seedable, good enough to make "random" misbehaviour (and seed data) repeatable. */
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

/**
 * The live quirk settings of one app instance. How each app draws its random choices differs (one
 * source or one per quirk), so the drawing stays in each app's QuirkState; this holds the settings
 * and the forced-failure counter they all share.
 */
export class QuirkSettings<Q extends CommonQuirks> {
  #quirks: Q;

  constructor(initial: Partial<Q> | undefined, partialSchema: z.ZodType<Partial<Q>>, defaults: Q) {
    this.#quirks = { ...defaults, ...partialSchema.parse(initial ?? {}) };
  }

  get current(): Q {
    return { ...this.#quirks };
  }

  update(patch: Partial<Q>): Q {
    this.#quirks = { ...this.#quirks, ...patch };
    return this.current;
  }

  /** The settings in force, without a copy, for the subclass's choices. */
  protected get settings(): Readonly<Q> {
    return this.#quirks;
  }

  /** Consumes one of the pending forced failures (`failNextRequests`), if any. */
  protected takeForcedFailure(): boolean {
    if (this.#quirks.failNextRequests <= 0) return false;
    this.#quirks.failNextRequests -= 1;
    return true;
  }
}
