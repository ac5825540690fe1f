// ClaimReview's bot steps, run on the bot worker (never imported by the workflow bundle).
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { defineBotActivity, type BotContext, type BotRuntime } from '../../activities/bots/bot-activity';
import { performOnce } from '../../activities/bots/exactly-once';
import { BusinessException } from '../../bots/runtime/business-exception';
import type { AdjudicationRecord } from '../../bots/claims-system/types';
import type { ClaimBotInput, ClaimReviewBots, EnterAdjudicationInput } from './bots';
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
  if (claim.status === 'adjudicated') throw alreadyAdjudicated(input.claimRef, await system.adjudicationsOnPage());
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
      const others = found.filter((a) => !(input.supersedes ?? []).includes(a.reference));
      if (others.length > 0) throw alreadyAdjudicated(input.claimRef, others);
      return null;
    },
    perform: () =>
      system.adjudicate(input.claimRef, {
        decision: input.decision,
        amountCents: input.amountCents,
        reason: input.reason,
        reference: input.reference,
      }),
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

export function createClaimReviewBots(runtime: BotRuntime): ClaimReviewBots {
  return {
    extractClaim: defineBotActivity(runtime, extractClaim, { login: (input) => input.credential }),
    enterAdjudication: defineBotActivity(runtime, enterAdjudication, { login: (input) => input.credential }),
  };
}

/** The bot worker finds this folder's bot steps by this default export (workers/bot-activities.ts). */
export default createClaimReviewBots;
