import { z } from 'zod';

/** Misbehaviours of a real client CRM, switchable at runtime so tests can provoke them. */
export const QuirksSchema = z
  .object({
    /** Chance (0–1) that a page is delayed by `slowPageDelayMs`. Default 0. */
    slowPageProbability: z.number().min(0).max(1),
    /** Delay of a slow page. Default 2000. */
    slowPageDelayMs: z.number().int().min(0).max(120_000),
    /** Idle time after which a session is gone. Default 15 minutes. */
    sessionTtlMs: z.number().int().min(1),
    /** Delay between recording a customer and answering: the "did my save land?" case. Default 0. */
    submitResponseDelayMs: z.number().int().min(0).max(600_000),
    /** The next N non-admin requests answer 500. Default 0. */
    failNextRequests: z.number().int().min(0).max(1_000),
    /** Chance (0–1) that any non-admin request answers 500 (before doing anything). Default 0. */
    serverErrorProbability: z.number().min(0).max(1),
    /** Chance (0–1) that Save only asks "click Save again to confirm" and records nothing. Default 0. */
    saveNeedsSecondClickProbability: z.number().min(0).max(1),
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
  serverErrorProbability: 0,
  saveNeedsSecondClickProbability: 0,
};

/** mulberry32: tiny, seedable, good enough to make "random" misbehaviour repeatable in tests. */
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
 * The live quirks of one app instance. Each probabilistic quirk draws from its own seeded source,
 * so switching one on does not change which requests another one hits.
 */
export class QuirkState {
  #quirks: Quirks;
  readonly #slow: () => number;
  readonly #errors: () => number;
  readonly #secondClick: () => number;

  constructor(initial: Partial<Quirks> | undefined, seed: number) {
    this.#quirks = { ...DEFAULT_QUIRKS, ...PartialQuirksSchema.parse(initial ?? {}) };
    this.#slow = seededRandom(seed);
    this.#errors = seededRandom(seed + 1);
    this.#secondClick = seededRandom(seed + 2);
  }

  get current(): Quirks {
    return { ...this.#quirks };
  }

  update(patch: Partial<Quirks>): Quirks {
    this.#quirks = { ...this.#quirks, ...patch };
    return this.current;
  }

  /** Whether this request fails: a pending forced failure, or bad luck. */
  takeFailure(): boolean {
    if (this.#quirks.failNextRequests > 0) {
      this.#quirks.failNextRequests -= 1;
      return true;
    }
    return chance(this.#errors, this.#quirks.serverErrorProbability);
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    return chance(this.#slow, this.#quirks.slowPageProbability) ? this.#quirks.slowPageDelayMs : 0;
  }

  /** Whether this save is only a first click that asks for confirmation. */
  saveNeedsSecondClick(): boolean {
    return chance(this.#secondClick, this.#quirks.saveNeedsSecondClickProbability);
  }
}

function chance(random: () => number, probability: number): boolean {
  return probability > 0 && random() < probability;
}
