import { z } from 'zod';
import { seededRandom } from '../claims-system/quirks';

/** Misbehaviours of a real payroll portal, switchable at runtime so tests can provoke them. */
export const QuirksSchema = z
  .object({
    /** Chance (0–1) that a page is delayed by `slowPageDelayMs`. Default 0. */
    slowPageProbability: z.number().min(0).max(1),
    /** Delay of a slow page. Default 2000. */
    slowPageDelayMs: z.number().int().min(0).max(120_000),
    /** Idle time after which a session is gone. Default 15 minutes. */
    sessionTtlMs: z.number().int().min(1),
    /** Delay between recording a save or submission and answering: the "did my submit land?" case. Default 0. */
    submitResponseDelayMs: z.number().int().min(0).max(600_000),
    /** The next N non-admin requests answer 500. Default 0. */
    failNextRequests: z.number().int().min(0).max(1_000),
    /** Chance (0–1) that any non-admin request answers 500. Default 0. */
    serverErrorProbability: z.number().min(0).max(1),
    /** Chance (0–1) that Save only shows "Confirm save" and records nothing until clicked again. Default 0. */
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

/** The live quirks of one portal instance plus the seeded random source their choices use. */
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

  /** Whether this request fails: a pending forced failure, else the random error rate. */
  takeFailure(): boolean {
    if (this.#quirks.failNextRequests > 0) {
      this.#quirks.failNextRequests -= 1;
      return true;
    }
    return this.#chance(this.#quirks.serverErrorProbability);
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    return this.#chance(this.#quirks.slowPageProbability) ? this.#quirks.slowPageDelayMs : 0;
  }

  /** Whether this first click on Save only asks for confirmation. */
  saveNeedsSecondClick(): boolean {
    return this.#chance(this.#quirks.saveNeedsSecondClickProbability);
  }

  // A probability of 0 draws nothing, so switching one quirk on leaves the others' sequence alone.
  #chance(probability: number): boolean {
    return probability > 0 && this.#random() < probability;
  }
}
