// All processes' bot steps, registered on the bot worker.
import type { BotRuntime } from '../activities/bots/bot-activity';
import { createClaimReviewBots } from '../workflows/claim-review/bot-steps';
import { createPayrollRunBots } from '../workflows/payroll-run/bot-steps';
import { createDataEntryBots } from '../workflows/data-entry/bot-steps';

export function createBotActivities(runtime: BotRuntime) {
  return { ...createClaimReviewBots(runtime), ...createPayrollRunBots(runtime), ...createDataEntryBots(runtime) };
}
