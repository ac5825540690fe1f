import { z } from 'zod';
import { COMMON_QUIRK_DEFAULTS, commonQuirkFields, QuirkSettings, seededRandom } from '../shared/quirks';

/**
 * Misbehaviours of a real payroll portal, switchable at runtime so tests can provoke them: the common
 * ones (submitResponseDelayMs delays the answer to a save or submission) and the portal's own below.
 */
export const QuirksSchema = z
  .object({
    ...commonQuirkFields,
    /** Chance (0–1) that any non-admin request answers 500. Default 0. */
    serverErrorProbability: z.number().min(0).max(1),
    /** Chance (0–1) that Save only shows "Confirm save" and records nothing until clicked again. Default 0. */
    saveNeedsSecondClickProbability: z.number().min(0).max(1),
  })
  .strict();

export type Quirks = z.infer<typeof QuirksSchema>;

export const PartialQuirksSchema = QuirksSchema.partial();

export const DEFAULT_QUIRKS: Quirks = {
  ...COMMON_QUIRK_DEFAULTS,
  serverErrorProbability: 0,
  saveNeedsSecondClickProbability: 0,
};

/** The live quirks of one portal instance plus the seeded random source their choices use. */
export class QuirkState extends QuirkSettings<Quirks> {
  readonly #random: () => number;

  constructor(initial: Partial<Quirks> | undefined, seed: number) {
    super(initial, PartialQuirksSchema, DEFAULT_QUIRKS);
    this.#random = seededRandom(seed);
  }

  /** Whether this request fails: a pending forced failure, else the random error rate. */
  takeFailure(): boolean {
    return this.takeForcedFailure() || this.#chance(this.settings.serverErrorProbability);
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    return this.#chance(this.settings.slowPageProbability) ? this.settings.slowPageDelayMs : 0;
  }

  /** Whether this first click on Save only asks for confirmation. */
  saveNeedsSecondClick(): boolean {
    return this.#chance(this.settings.saveNeedsSecondClickProbability);
  }

  // A probability of 0 draws nothing, so switching one quirk on leaves the others' sequence alone.
  #chance(probability: number): boolean {
    return probability > 0 && this.#random() < probability;
  }
}
