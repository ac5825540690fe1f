// What a client's contract promises for one process, as data: turnaround, quality and
// straight-through targets and the cost model. Versioned: a new version takes effect from a date
// and never changes how items received before it are measured. Also the QA sampling policy a
// process declares. Pure (zod and arithmetic), so workflows import it to decide sampling.
import { z } from 'zod';
import { BusinessCalendarSchema, ClientId } from './common-schemas';

const Ratio = z.number().min(0).max(1);
const Rate = z.number().min(0).max(100_000).describe('Per hour, in the contract currency');

export const ServiceLevelSchema = z
  .object({
    client: ClientId,
    process: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    version: z.number().int().min(1).describe('Increases with every change of the contract terms'),
    effectiveFrom: z.iso.date().describe('Items received on or after this local date are measured by this version'),
    calendar: BusinessCalendarSchema.describe('The client calendar that business time is counted in'),
    turnaround: z
      .object({
        targetMs: z.number().int().min(60_000).describe('Received → delivered, at most this long'),
        clock: z.enum(['business', 'calendar']).default('business'),
        attainment: Ratio.describe('Share of completed items that must meet the target, e.g. 0.95'),
        atRiskRatio: Ratio.default(0.8).describe('An open item past this share of its target is at risk'),
      })
      .strict(),
    quality: z.object({ passTarget: Ratio.describe('Share of sampled items that must pass QA, e.g. 0.98') }).strict(),
    straightThrough: z.object({ target: Ratio }).strict(),
    cost: z
      .object({
        currency: z.string().regex(/^[A-Z]{3}$/),
        operatorPerHour: Rate.describe('Loaded operator rate'),
        botPerHour: Rate,
        perItemFee: z.number().min(0).max(100_000).default(0),
      })
      .strict(),
  })
  .strict();
export type ServiceLevel = z.infer<typeof ServiceLevelSchema>;
export type ServiceLevelInput = z.input<typeof ServiceLevelSchema>;

export const QaSamplingSchema = z
  .object({
    /** Share of bot-completed (straight-through) items sampled, e.g. 0.05. */
    botRate: Ratio,
    /** Share of items an operator decided that are sampled. */
    humanRate: Ratio,
    /** Operators whose every decision is reviewed (new joiners). */
    alwaysForOperators: z.array(z.string().min(1).max(64)).max(500).default([]),
    /** Every item at or over this amount (cents) is reviewed. */
    alwaysAtOrAboveCents: z.number().int().min(0).optional(),
    /** Team whose inbox receives the review tasks. */
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    /** Changing the seed draws a different, equally random sample. */
    seed: z.string().min(1).max(64).default('qa-v1'),
    /** Whether a failed review may carry a correction the bot applies. */
    corrections: z.boolean().default(true),
  })
  .strict();
export type QaSampling = z.infer<typeof QaSamplingSchema>;

/** Validates a process's declarations; versions of one client must increase with their dates. */
export function defineServiceLevels(levels: ServiceLevelInput[]): ServiceLevel[] {
  const parsed = levels.map((l) => ServiceLevelSchema.parse(l));
  const byClient = new Map<string, ServiceLevel[]>();
  for (const level of parsed) byClient.set(level.client, [...(byClient.get(level.client) ?? []), level]);
  for (const [client, versions] of byClient) {
    const sorted = [...versions].sort((a, b) => a.version - b.version);
    sorted.forEach((v, i) => {
      if (i > 0 && (v.version === sorted[i - 1]!.version || v.effectiveFrom <= sorted[i - 1]!.effectiveFrom)) {
        throw new Error(`Service levels of ${client}/${v.process}: version ${v.version} must be newer and start later than version ${sorted[i - 1]!.version}`);
      }
    });
  }
  return parsed;
}

/** The version in force for an item received on `localDate` (YYYY-MM-DD in the client's zone). */
export function serviceLevelFor(levels: readonly ServiceLevel[], client: string, process: string, localDate: string): ServiceLevel | undefined {
  return levels
    .filter((l) => l.client === client && l.process === process && l.effectiveFrom <= localDate)
    .sort((a, b) => b.version - a.version)[0];
}

/** A uniform draw in [0, 1) from the seed and the item's key (FNV-1a, then a 32-bit finaliser). */
export function qaDraw(seed: string, key: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}\u0000${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

export interface QaSignals {
  /** The item's stable key (process, client, business reference): the same item, the same draw. */
  key: string;
  /** Who decided the item, when a person did. */
  decidedBy?: string;
  amountCents?: number;
}

export interface QaChoice {
  sampled: boolean;
  /** Probability this item had of being sampled: weights the quality score (inverse probability). */
  probability: number;
  why: 'operator-always' | 'amount-always' | 'human-rate' | 'bot-rate';
}

/** Decides whether an item goes to QA. Deterministic: a function of the policy and the item only. */
export function chooseForQa(policy: QaSampling, signals: QaSignals): QaChoice {
  if (signals.decidedBy && policy.alwaysForOperators.includes(signals.decidedBy)) return { sampled: true, probability: 1, why: 'operator-always' };
  if (policy.alwaysAtOrAboveCents !== undefined && (signals.amountCents ?? -1) >= policy.alwaysAtOrAboveCents) {
    return { sampled: true, probability: 1, why: 'amount-always' };
  }
  const human = signals.decidedBy !== undefined && signals.decidedBy !== 'auto';
  const rate = human ? policy.humanRate : policy.botRate;
  return { sampled: qaDraw(policy.seed, signals.key) < rate, probability: rate, why: human ? 'human-rate' : 'bot-rate' };
}
