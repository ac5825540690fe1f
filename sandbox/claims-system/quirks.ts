import { z } from 'zod';
import { COMMON_QUIRK_DEFAULTS, commonQuirkFields, QuirkSettings, seededRandom } from '../shared/quirks';

/**
 * Misbehaviours of a real client system, switchable at runtime so tests can provoke them: the
 * common ones (see commonQuirkFields; submitResponseDelayMs delays the answer to an adjudication),
 * and `sessionsPerUser`: how many sessions one user may have open, a sign-in beyond it throwing the
 * user's oldest session out (0, the default: no limit).
 */
export const QuirksSchema = z.object({ ...commonQuirkFields, sessionsPerUser: z.number().int().min(0).max(100) }).strict();

export type Quirks = z.infer<typeof QuirksSchema>;

export const PartialQuirksSchema = QuirksSchema.partial();

export const DEFAULT_QUIRKS: Quirks = { ...COMMON_QUIRK_DEFAULTS, sessionsPerUser: 0 };

/** The live quirks of one app instance plus the random source their choices use. */
export class QuirkState extends QuirkSettings<Quirks> {
  readonly #random: () => number;

  constructor(initial: Partial<Quirks> | undefined, seed: number) {
    super(initial, PartialQuirksSchema, DEFAULT_QUIRKS);
    this.#random = seededRandom(seed);
  }

  /** Consumes one of the pending forced failures, if any. */
  takeFailure(): boolean {
    return this.takeForcedFailure();
  }

  /** How long to hold this page back (0 most of the time). */
  pageDelayMs(): number {
    const { slowPageProbability, slowPageDelayMs } = this.settings;
    if (slowPageProbability <= 0) return 0;
    return this.#random() < slowPageProbability ? slowPageDelayMs : 0;
  }
}
