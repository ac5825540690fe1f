// The bot steps ClaimReview uses, as the workflow sees them. Their Playwright implementations
// live in bot-steps.ts and run only on the bot worker.
import { defineAttendedBot } from '../engine/attended-bot';
import type { AdjudicationReceipt, ExtractedClaim } from './schema';

export interface ClaimBotInput {
  client: string;
  claimRef: string;
  /** Name of the login in the credential store; the workflow never holds the secret itself. */
  credential: string;
}

export interface EnterAdjudicationInput extends ClaimBotInput {
  /** Idempotency reference: the bot looks for it in the claims system before submitting. */
  reference: string;
  decision: 'approve' | 'reject';
  amountCents: number;
  reason: string;
  /** References of this run's own earlier writes this one corrects (a QA correction): the only adjudications it may find. */
  supersedes?: string[];
}

export interface ReverseAdjudicationsInput extends ClaimBotInput {
  /** The write references of the run being cancelled: only adjudications carrying one are reversed. */
  references: string[];
  /** Idempotency reference of the reversals: each reversal carries `<this>:<confirmation reversed>`. */
  reference: string;
  reason: string;
}

export interface ReversalReceipt {
  /** One line per adjudication of the run: its reversal, found (`submitted: false`) or entered now. */
  reversed: Array<{ adjudication: string; adjudicationReference: string; reversal: string; reference: string; submitted: boolean }>;
}

export interface ClaimReviewBots {
  extractClaim(input: ClaimBotInput): Promise<ExtractedClaim>;
  enterAdjudication(input: EnterAdjudicationInput): Promise<AdjudicationReceipt>;
  /** The compensation of a cancelled run: reverses the adjudications it entered, each exactly once. */
  reverseAdjudications(input: ReverseAdjudicationsInput): Promise<ReversalReceipt>;
}

/** Bots a reviewer may start from a ClaimReview task while they work it. */
export const claimReviewAttendedBots = {
  // Reading one claim takes a second or two; a reviewer waits at most 20 s before hearing it failed.
  refetchClaim: defineAttendedBot<ClaimReviewBots>({ activity: 'extractClaim', title: 'Read the claim again', deadlineMs: 20_000 }),
};
