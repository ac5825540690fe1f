// Where webhook subscriptions are kept for good: a Temporal run per subscription
// (workflows/engine/webhook-subscription.ts) with the subscription in its memo. Starting and
// terminating a run need no worker, so creating or removing a subscription answers while the
// orchestration workers are busy; listing reads visibility (eventually consistent), so it is only
// used to refill Redis, whose mirror answers everything else.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { ORCHESTRATION_TASK_QUEUE } from '../workflows/engine/process-definition';
import { WEBHOOK_SUBSCRIPTION_MEMO, WEBHOOK_SUBSCRIPTION_WORKFLOW } from '../workflows/engine/webhook-subscription';

/** The record's run id: the subscription's own id, so a repeated record is the same run. */
export const subscriptionRunId = (id: string): string => `tandem-webhook:${id}`;

export class SubscriptionRegistry {
  constructor(private readonly temporal: Client) {}

  /** Records a subscription (again: nothing changes). */
  async record(subscription: { id: string }): Promise<void> {
    await this.temporal.workflow.start(WEBHOOK_SUBSCRIPTION_WORKFLOW, {
      workflowId: subscriptionRunId(subscription.id),
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      memo: { [WEBHOOK_SUBSCRIPTION_MEMO]: subscription },
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
  }

  /** Ends a subscription's record; true if it was open. */
  async withdraw(id: string, by: string): Promise<boolean> {
    try {
      await this.temporal.workflow.getHandle(subscriptionRunId(id)).terminate(`webhook subscription removed by ${by}`);
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Every open record's subscription, as stored (the caller parses it). */
  async all(): Promise<unknown[]> {
    const found: unknown[] = [];
    const query = `WorkflowType = '${WEBHOOK_SUBSCRIPTION_WORKFLOW}' AND ExecutionStatus = 'Running'`;
    for await (const run of this.temporal.workflow.list({ query })) {
      const subscription = run.memo?.[WEBHOOK_SUBSCRIPTION_MEMO];
      if (subscription) found.push(subscription);
    }
    return found;
  }
}
