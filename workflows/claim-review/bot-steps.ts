// ClaimReview's bot steps, run on the bot worker (never imported by the workflow bundle).
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { defineBotActivity, type BotContext, type BotRuntime } from '../../activities/bots/bot-activity';
import { performOnce } from '../../activities/bots/exactly-once';
import { BusinessException } from '../../bots/runtime/business-exception';
import type { AdjudicationRecord } from '../../bots/claims-system/types';
import type { ClaimBotInput, ClaimReviewBots, EnterAdjudicationInput, ReversalReceipt, ReverseAdjudicationsInput } from './bots';
import type { AdjudicationReceipt, ExtractedClaim } from './schema';

// Signs in when the claims system asks: a page kept signed in by the last step of this login goes
// straight to the claim.
async function signIn(bot: BotContext, input: ClaimBotInput): Promise<ClaimsSystem> {
  const system = new ClaimsSystem(bot.page, bot.apps.urlOf(input.client, 'claims-system'));
  system.useLogin(await bot.credential(input.credential));
  return system;
}

async function extractClaim(bot: BotContext, input: ClaimBotInput): Promise<ExtractedClaim> {
  bot.progress({ step: 'signing in' });
  const system = await signIn(bot, input);
  bot.progress({ step: 'reading the claim' });
  const claim = await system.openClaim(input.claimRef);
  bot.progress({ step: 'taking a screenshot' });
  const screenshot = await bot.screenshot(`claim-${input.claimRef}`);
  // Someone got there first (another run, a person in the claims system): nothing to review.
  if (claim.status === 'adjudicated') throw alreadyAdjudicated(input.claimRef, (await system.adjudicationsOnPage()).filter((a) => !a.reversal));
  return { ...claim, screenshot };
}

function alreadyAdjudicated(claimRef: string, found: AdjudicationRecord[]): BusinessException {
  const as = found.map((a) => `${a.confirmation} (${a.decision} ${(a.amountCents / 100).toFixed(2)})`).join(', ');
  return new BusinessException('AlreadyAdjudicated', `${claimRef} already adjudicated as ${as}`, {
    claimRef,
    adjudications: found.map(({ confirmation, decision, amountCents, reference }) => ({ confirmation, decision, amountCents, reference })),
  });
}

async function enterAdjudication(bot: BotContext, input: EnterAdjudicationInput): Promise<AdjudicationReceipt> {
  const system = await signIn(bot, input);
  const { value, performed } = await performOnce({
    // Ours already there: done. Someone else's (not one this write supersedes): never a second write.
    find: async () => {
      const found = await system.adjudicationsOf(input.claimRef);
      const ours = found.find((a) => a.reference === input.reference.trim());
      if (ours) return ours;
      // A reversed adjudication (a cancelled run's, undone) no longer stands.
      const others = found.filter((a) => !a.reversal && !(input.supersedes ?? []).includes(a.reference));
      if (others.length > 0) throw alreadyAdjudicated(input.claimRef, others);
      return null;
    },
    // The cancel fence right before the submit: a run cancelled by now writes nothing.
    perform: () =>
      system.adjudicate(
        input.claimRef,
        { decision: input.decision, amountCents: input.amountCents, reason: input.reason, reference: input.reference },
        () => bot.beforeWrite(),
      ),
  });
  bot.progress({ submitted: performed, confirmation: value.confirmation });
  return {
    reference: value.reference,
    decision: value.decision,
    amountCents: value.amountCents,
    confirmation: value.confirmation,
    submitted: performed,
  };
}

/**
 * Reverses every adjudication of the cancelled run that stands, each exactly once: a reversal
 * carries `<reference>:<confirmation>`, and a standing one already reversed under that reference
 * (an earlier attempt that crashed after the submit) is reported, not reversed again. Not fenced:
 * it is the cancellation's own work.
 */
async function reverseAdjudications(bot: BotContext, input: ReverseAdjudicationsInput): Promise<ReversalReceipt> {
  // The bot step the cancel cut short may still have a submit on its way: look once it has stopped.
  await bot.otherStepsSettled();
  const system = await signIn(bot, input);
  const ours = (await system.adjudicationsOf(input.claimRef)).filter((a) => input.references.includes(a.reference));
  const reversed: ReversalReceipt['reversed'] = [];
  for (const adjudication of ours) {
    const reference = `${input.reference}:${adjudication.confirmation}`;
    const { value, performed } = await performOnce({
      find: async () => {
        const now = (await system.adjudicationsOf(input.claimRef)).find((a) => a.confirmation === adjudication.confirmation);
        return now?.reversal ? now.reversal : null;
      },
      perform: async () => ({ confirmation: await system.reverse(input.claimRef, adjudication.confirmation, { reason: input.reason, reference }), reference }),
    });
    reversed.push({ adjudication: adjudication.confirmation, adjudicationReference: adjudication.reference, reversal: value.confirmation, reference: value.reference, submitted: performed });
    bot.progress({ reversed: reversed.length });
  }
  return { reversed };
}

export function createClaimReviewBots(runtime: BotRuntime): ClaimReviewBots {
  return {
    extractClaim: defineBotActivity(runtime, extractClaim, { login: (input) => input.credential }),
    enterAdjudication: defineBotActivity(runtime, enterAdjudication, { login: (input) => input.credential }),
    reverseAdjudications: defineBotActivity(runtime, reverseAdjudications, { login: (input) => input.credential }),
  };
}

/** The bot worker finds this folder's bot steps by this default export (workers/bot-activities.ts). */
export default createClaimReviewBots;
