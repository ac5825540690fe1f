// All processes' bot steps, registered on the bot worker.
import type { BotRuntime } from '../activities/bots/bot-activity';
import { createClaimReviewBots } from '../workflows/claim-review/bot-steps';

export function createBotActivities(runtime: BotRuntime) {
  return { ...createClaimReviewBots(runtime) };
}
