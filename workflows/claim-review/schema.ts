// ClaimReview's types, defined once: the API validates starts with ClaimReviewInput, the workflow
// re-checks it, the task forms drive both the Update validator and the inbox's rendered form.
import { z } from 'zod';
import { defineTaskForm } from '../engine/task-form';
import { BusinessCalendarSchema, ClientId } from '../engine/common-schemas';
import { QaSamplingSchema } from '../engine/service-level';
import { defineQaForm } from '../engine/quality-review';

export const ClaimRef = z
  .string()
  .regex(/^CLM-\d{4,12}$/, 'A claim reference looks like CLM-1002')
  .describe('Claim number in the client’s claims system');

export const ClaimReviewInput = z
  .object({
    client: ClientId,
    claimRef: ClaimRef,
    autoApproveBelowCents: z
      .number()
      .int()
      .min(0)
      .max(100_000_000)
      .optional()
      .describe('Claims below this amount (in cents) are approved without a human; default 50000 (500.00)'),
    priority: z.number().int().min(1).max(5).optional().describe('Review task priority, 1 most urgent; default 3'),
    serviceCalendar: BusinessCalendarSchema.optional().describe('The client’s working hours, for the review SLA; default Monday–Friday 09:00–17:00 UTC'),
    receivedAt: z.iso.datetime().optional().describe('When the client’s claim was first recorded as received (turnaround starts here); default: the run’s start'),
    qaSampling: QaSamplingSchema.optional().describe('Quality sampling for this run (supervisors and process admins only); default: the client’s QA policy in force at the start (GET /clients/{client}/qa-policies/claim-review)'),
  })
  .strict();
export type ClaimReviewInput = z.infer<typeof ClaimReviewInput>;

export const DEFAULT_AUTO_APPROVE_BELOW_CENTS = 50_000;
/** A reviewer decides within 4 working hours; then a reminder, then back to the team, then supervisors. */
export const REVIEW_WITHIN_MS = 4 * 3600_000;
export const SUPERVISOR_TEAM = 'claims-supervisors';
export const REVIEW_TEAM = 'claims-review';

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500);

export const claimReviewForm = defineTaskForm({
  kind: 'claim-review.review',
  title: 'Review claim',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('approve'), data: z.object({ reason: z.string().trim().max(500).optional() }).strict() }),
    z.object({ action: z.literal('reject'), data: z.object({ reason: Reason }).strict() }),
    z.object({
      action: z.literal('correct'),
      data: z
        .object({
          amountCents: z.number().int('Amount is in whole cents').min(0).max(100_000_000).describe('Approved amount in cents'),
          reason: Reason,
        })
        .strict(),
    }),
  ]),
});

export const claimExceptionForm = defineTaskForm({
  kind: 'claim-review.exception',
  title: 'Resolve claim exception',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('retry'), data: z.object({ note: z.string().max(500).optional() }).strict() }),
    z.object({ action: z.literal('skip'), data: z.object({ reason: Reason }).strict() }),
    z.object({
      action: z.literal('complete-manually'),
      data: z.object({ confirmation: z.string().trim().min(1).max(64), note: z.string().max(500).optional() }).strict(),
    }),
  ]),
});

/** QA of an entered claim: pass, or fail with a reason and optionally the amount that should have been entered. */
export const claimQaForm = defineQaForm(
  'claim-review.qa',
  z.object({ amountCents: z.number().int('Amount is in whole cents').min(0).max(100_000_000).describe('The amount that should have been entered') }).strict(),
  (context) => {
    const entered = (context.entered as { amountCents?: unknown } | undefined)?.amountCents;
    return typeof entered === 'number' ? { amountCents: entered } : undefined;
  },
);

export interface ExtractedClaim {
  claimRef: string;
  memberId: string;
  memberName: string;
  diagnosisCode: string;
  amountCents: number;
  status: 'open' | 'adjudicated';
  submittedOn: string;
  /** Artifact path of the claim page screenshot, for the reviewer. */
  screenshot?: string;
}

export interface AdjudicationReceipt {
  reference: string;
  decision: 'approve' | 'reject';
  amountCents: number;
  confirmation: string;
  /** False when the bot found its reference already in the claims system and did not submit again. */
  submitted: boolean;
}

export type ClaimReviewOutcome =
  | {
      kind: 'adjudicated';
      decision: 'approve' | 'reject';
      amountCents: number;
      decidedBy: string;
      confirmation: string;
      reference: string;
    }
  | { kind: 'skipped'; reason: string; decidedBy: string }
  | { kind: 'completed-manually'; confirmation: string; decidedBy: string };
