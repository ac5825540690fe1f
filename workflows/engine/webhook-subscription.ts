// A webhook subscription's durable record: one run per subscription, whose memo holds it, open for
// as long as the subscription lives (removing it terminates the run). Temporal keeps subscriptions,
// as it keeps runs and tasks; Redis only mirrors them for the emit path and is refilled from these
// runs when it comes back empty (notifications/subscription-registry.ts).
import { condition } from '@temporalio/workflow';

/** The record's workflow type (its export name in the orchestration bundle). */
export const WEBHOOK_SUBSCRIPTION_WORKFLOW = 'webhookSubscription';
/** Memo key of the subscription the run stands for. */
export const WEBHOOK_SUBSCRIPTION_MEMO = 'tandem.webhookSubscription';

/** The run's whole life: none. It waits until it is terminated, adding nothing to its history. */
export async function webhookSubscription(): Promise<void> {
  await condition(() => false);
}
