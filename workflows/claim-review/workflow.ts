// ClaimReview: the bot extracts a claim from the client's claims system; small claims are approved
// automatically, the rest wait for a reviewer; then the bot enters the decision exactly once.
import { ApplicationFailure } from '@temporalio/workflow';
import { ProcessRun } from '../engine/process-run';
import { botSteps, type BotFailure } from '../engine/bot-step';
import { claimReviewAttendedBots, type ClaimReviewBots } from './bots';
import { offerBot } from '../engine/attended-bot';
import {
  ClaimReviewInput,
  claimExceptionForm,
  claimQaForm,
  claimReviewForm,
  DEFAULT_AUTO_APPROVE_BELOW_CENTS,
  REVIEW_TEAM,
  REVIEW_WITHIN_MS,
  SUPERVISOR_TEAM,
  type AdjudicationReceipt,
  type ClaimReviewOutcome,
  type ExtractedClaim,
} from './schema';

const bots = botSteps<ClaimReviewBots>();
const RUN_SLA_MS = 24 * 60 * 60 * 1000;

type Adjudication = { decision: 'approve' | 'reject'; amountCents: number; reason: string; decidedBy: string };
type Resolution = { done: ClaimReviewOutcome } | { retry: true };

export async function claimReview(rawInput: ClaimReviewInput): Promise<ClaimReviewOutcome> {
  const parsed = ClaimReviewInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('Invalid ClaimReview input', 'InvalidInput', parsed.error.issues);
  const input = parsed.data;
  const run = new ProcessRun({ process: 'claim-review', client: input.client, businessRef: input.claimRef, sla: { withinMs: RUN_SLA_MS }, receivedAt: input.receivedAt });
  const credential = `${input.client}/claims-system`;

  /** Asks a human what to do about a bot failure. */
  async function resolveException(step: string, failure: BotFailure): Promise<Resolution> {
    const { decision, decidedBy } = await run.humanTask(claimExceptionForm, {
      title: `${failure.kind === 'business' ? failure.code : 'Bot failed'}: ${input.claimRef} (${step})`,
      team: REVIEW_TEAM,
      priority: 2,
      context: { step, claimRef: input.claimRef, failure },
    });
    if (decision.action === 'retry') return { retry: true };
    if (decision.action === 'skip') return { done: { kind: 'skipped', reason: decision.data.reason, decidedBy: decidedBy.operatorId } };
    return { done: { kind: 'completed-manually', confirmation: decision.data.confirmation, decidedBy: decidedBy.operatorId } };
  }

  return run.execute(async () => {
    let claim: ExtractedClaim | undefined;
    while (!claim) {
      run.step('extract-claim');
      const extracted = await run.bot('extractClaim', bots.extractClaim, { client: input.client, claimRef: input.claimRef, credential });
      if (extracted.ok) claim = extracted.value;
      else {
        const resolution = await resolveException('extract-claim', extracted.failure);
        if ('done' in resolution) return resolution.done;
      }
    }

    run.step('review');
    const adjudication = await decide(run, claim, input, credential);

    // Declared before the bot writes: a cancel that cuts the write short is looked for and undone too.
    run.compensateOnCancel({
      step: 'enter-decision',
      name: 'reverse-adjudication',
      undo: async (cancellation) => {
        const { reversed } = await bots.reverseAdjudications({
          client: input.client,
          claimRef: input.claimRef,
          credential,
          references: [run.reference('enter-decision'), run.reference('qa-correction')],
          reference: run.reference('cancel'),
          reason: `Run cancelled by ${cancellation.by}: ${cancellation.reason}`.slice(0, 500),
        });
        return reversed.length > 0 ? { reversed } : null;
      },
    });

    for (;;) {
      run.step('enter-decision');
      const entered = await run.bot('enterAdjudication', bots.enterAdjudication, {
        client: input.client,
        claimRef: input.claimRef,
        credential,
        reference: run.reference('enter-decision'),
        decision: adjudication.decision,
        amountCents: adjudication.amountCents,
        reason: adjudication.reason,
      });
      if (entered.ok) {
        const receipt = await checkQuality(run, input, claim, adjudication, entered.value, credential);
        return {
          kind: 'adjudicated',
          decision: receipt.decision,
          amountCents: receipt.amountCents,
          decidedBy: adjudication.decidedBy,
          confirmation: receipt.confirmation,
          reference: receipt.reference,
        };
      }
      const resolution = await resolveException('enter-decision', entered.failure);
      if ('done' in resolution) return resolution.done;
    }
  });
}

async function decide(run: ProcessRun, claim: ExtractedClaim, input: ClaimReviewInput, credential: string): Promise<Adjudication> {
  const autoApproveBelowCents = input.autoApproveBelowCents ?? DEFAULT_AUTO_APPROVE_BELOW_CENTS;
  if (claim.amountCents < autoApproveBelowCents) {
    return { decision: 'approve', amountCents: claim.amountCents, reason: 'Auto-approved below threshold', decidedBy: 'auto' };
  }
  const { decision, decidedBy } = await run.humanTask(claimReviewForm, {
    title: `Review claim ${claim.claimRef} (${(claim.amountCents / 100).toFixed(2)})`,
    team: REVIEW_TEAM,
    priority: input.priority ?? 3,
    context: { claim, autoApproveBelowCents },
    sla: {
      withinMs: REVIEW_WITHIN_MS,
      calendar: input.serviceCalendar ?? { timeZone: 'UTC' },
      ladder: [
        { afterMs: 0, action: 'remind' },
        { afterMs: 3600_000, action: 'reassign-team' },
        { afterMs: 2 * 3600_000, action: 'escalate', toTeam: SUPERVISOR_TEAM, raisePriority: 1 },
      ],
    },
    // The reviewer can have the bot read the claim again (e.g. after the client amended it).
    bots: { refetchClaim: offerBot(claimReviewAttendedBots.refetchClaim, { client: input.client, claimRef: input.claimRef, credential }) },
  });
  const by = decidedBy.operatorId;
  switch (decision.action) {
    case 'approve':
      return { decision: 'approve', amountCents: claim.amountCents, reason: decision.data.reason || 'Approved after review', decidedBy: by };
    case 'reject':
      return { decision: 'reject', amountCents: 0, reason: decision.data.reason, decidedBy: by };
    case 'correct':
      return { decision: 'approve', amountCents: decision.data.amountCents, reason: decision.data.reason, decidedBy: by };
  }
}

/** Four-eyes: a sampled claim goes to QA; a failed review's correction is entered by the bot, once. */
async function checkQuality(run: ProcessRun, input: ClaimReviewInput, claim: ExtractedClaim, adjudication: Adjudication, receipt: AdjudicationReceipt, credential: string): Promise<AdjudicationReceipt> {
  // The policy the run was started with: the client's in force at the start (the API put it in the
  // input) or a supervisor's for this run. Never read live, so a change cannot alter a run in flight.
  const policy = input.qaSampling;
  if (!policy) return receipt;
  run.step('quality-review');
  const verdict = await run.qualityReview({
    policy,
    form: claimQaForm,
    title: `QA: claim ${claim.claimRef} (${adjudication.decision} ${(adjudication.amountCents / 100).toFixed(2)})`,
    context: { claim, entered: receipt, decidedBy: adjudication.decidedBy, screenshot: claim.screenshot },
    decidedBy: adjudication.decidedBy,
    amountCents: claim.amountCents,
  });
  const correction = (verdict?.correction as { amountCents: number } | undefined)?.amountCents;
  if (correction === undefined || correction === receipt.amountCents) return receipt;
  run.step('apply-qa-correction');
  const corrected = await run.bot('enterAdjudication', bots.enterAdjudication, {
    client: input.client,
    claimRef: input.claimRef,
    credential,
    reference: run.reference('qa-correction'),
    decision: 'approve',
    amountCents: correction,
    reason: `QA correction: ${verdict!.reason ?? ''}`.slice(0, 500),
    supersedes: [receipt.reference],
  });
  return corrected.ok ? corrected.value : receipt;
}
