// The bot-throughput benchmark's workflow: N ClaimReview `extractClaim` bot steps, C at a time, on
// the task queue of the bot worker under test. Deterministic workflow code: it imports only the
// Temporal workflow API and the engine's workflow-safe helpers (and types).
import { botSteps, DEFAULT_BOT_OPTIONS, toBotFailure, type BotFailure } from '../../workflows/engine/bot-step';
import type { ClaimBotInput, ClaimReviewBots } from '../../workflows/claim-review/bots';

export interface BotThroughputInput {
  /** The bot worker under test listens here. */
  taskQueue: string;
  items: ClaimBotInput[];
  /** Bot steps in flight at once. */
  concurrency: number;
}

export type BotItemResult =
  | { ok: true; claimRef: string; amountCents: number; screenshot?: string; ms: number }
  | { ok: false; claimRef: string; failure: BotFailure; ms: number };

export async function botThroughput(input: BotThroughputInput): Promise<BotItemResult[]> {
  const bots = botSteps<ClaimReviewBots>({
    taskQueue: input.taskQueue,
    // One attempt: a retried item would hide a fault and be timed as a slow success.
    retry: { ...DEFAULT_BOT_OPTIONS.retry, maximumAttempts: 1 },
  });
  const results: BotItemResult[] = new Array<BotItemResult>(input.items.length);
  let next = 0;
  // C lanes each take the next item when their last one finishes: C in flight, never more.
  const lane = async (): Promise<void> => {
    while (next < input.items.length) {
      const index = next++;
      const item = input.items[index]!;
      // Workflow time is the time of the activation: from scheduling to the result as the run saw it.
      const started = Date.now();
      try {
        const claim = await bots.extractClaim(item);
        results[index] = { ok: true, claimRef: claim.claimRef, amountCents: claim.amountCents, screenshot: claim.screenshot, ms: Date.now() - started };
      } catch (err) {
        results[index] = { ok: false, claimRef: item.claimRef, failure: toBotFailure(err), ms: Date.now() - started };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, input.items.length)) }, lane));
  return results;
}
