import { z } from 'zod';
import { COMMON_QUIRK_DEFAULTS, commonQuirkFields, QuirkSettings, seededRandom } from '../shared/quirks';

/**
 * Misbehaviours of a real client CRM, switchable at runtime so tests can provoke them: the common
 * ones (submitResponseDelayMs delays the answer to a saved customer) and the CRM's own below.
 */
export const QuirksSchema = z
  .object({
    ...commonQuirkFields,
    /** Chance (0–1) that any non-admin request answers 500 (before doing anything). Default 0. */
    serverErrorProbability: z.number().min(0).max(1),
    /** Chance (0–1) that Save only asks "click Save again to confirm" and records nothing. Default 0. */
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

/**
 * The live quirks of one app instance. Each probabilistic quirk draws from its own seeded source,
 * so switching one on does not change which requests another one hits.
 */
export class QuirkState extends QuirkSettings<Quirks> {
  readonly #slow: () => number;
  readonly #errors: () => number;
  readonly #secondClick: () => number;

  constructor(initial: Partial<Quirks> | undefined, seed: number) {
    super(initial, PartialQuirksSchema, DEFAULT_QUIRKS);
    this.#slow = seededRandom(seed);
    this.#errors = seededRandom(seed + 1);
    this.#secondClick = seededRandom(seed + 2);
  }

  /** Whether this request fails: a pending forced failure, or bad luck. */
  takeFailure(): boolean {
    return this.takeForcedFailure() || chance(this.#errors, this.settings.serverErrorProbability);
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    return chance(this.#slow, this.settings.slowPageProbability) ? this.settings.slowPageDelayMs : 0;
  }

  /** Whether this save is only a first click that asks for confirmation. */
  saveNeedsSecondClick(): boolean {
    return chance(this.#secondClick, this.settings.saveNeedsSecondClickProbability);
  }
}

function chance(random: () => number, probability: number): boolean {
  return probability > 0 && random() < probability;
}
