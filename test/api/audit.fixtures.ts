// ClaimReview runs on the real Temporal dev server for the audit tests: the workflow bundle and
// the Update handlers are the real ones; only our own bot and inbox activities are faked.
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { NotificationActivities } from '../../workflows/engine/events';
import type { InboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
import { BOT_TASK_QUEUE } from '../../workflows/engine/bot-step';
import { BUSINESS_EXCEPTION } from '../../workflows/engine/failures';
import { runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import type { ClaimReviewBots } from '../../workflows/claim-review/bots';
import type { ExtractedClaim } from '../../workflows/claim-review/schema';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const roster = Roster.load();
export const actorOf = (operatorId: string): Actor => roster.actorOf(roster.find(operatorId)!);

/** The claim the fake bot extracts; CLM-0404 is not in the claims system (a business exception). */
export function extractedClaim(claimRef: string, amountCents = 245_000): ExtractedClaim {
  if (claimRef === 'CLM-0404') {
    throw ApplicationFailure.create({ type: BUSINESS_EXCEPTION, message: `Claim ${claimRef} not found`, nonRetryable: true, details: [{ code: 'ClaimNotFound', details: { claimRef } }] });
  }
  return { claimRef, memberId: 'M-1', memberName: 'Jo Doe', diagnosisCode: 'J45.909', amountCents, status: 'open', submittedOn: '2026-11-01' };
}

const fakeBots: ClaimReviewBots = {
  extractClaim: async ({ claimRef }) => extractedClaim(claimRef),
  enterAdjudication: async (input) => ({ reference: input.reference, decision: input.decision, amountCents: input.amountCents, confirmation: 'ADJ-1', submitted: true }),
  reverseAdjudications: async () => ({ reversed: [] }),
};

const fakeInbox: InboxActivities & NotificationActivities = { syncTask: async () => ({}), emitEvent: async () => undefined };

export class ClaimReviewRuns {
  private constructor(
    readonly client: Client,
    private readonly connection: NativeConnection,
    private readonly closeClient: () => Promise<void>,
  ) {}

  static async connect(): Promise<ClaimReviewRuns> {
    const connection = await workerConnection();
    const { client, close } = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE);
    return new ClaimReviewRuns(client, connection, close);
  }

  async close(): Promise<void> {
    await this.closeClient();
    await this.connection.close();
  }

  /** Runs `body` while an orchestration worker and a bot worker serve the runs it starts. */
  async withWorkers<T>(body: (start: (claimRef?: string) => Promise<WorkflowHandle>) => Promise<T>): Promise<T> {
    const namespace = stackEnv().TANDEM_UNIT_NAMESPACE!;
    const taskQueue = uniqueId('audit-orchestration');
    const orchestration = await Worker.create({
      connection: this.connection,
      namespace,
      taskQueue,
      dataConverter: workerDataConverter(),
      workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
      activities: fakeInbox,
    });
    const bots = await Worker.create({ connection: this.connection, namespace, dataConverter: workerDataConverter(), taskQueue: BOT_TASK_QUEUE, activities: fakeBots });
    const start = (claimRef = 'CLM-1002') =>
      this.client.workflow.start('claimReview', { taskQueue, workflowId: uniqueId('claim-review'), args: [{ client: 'acme-health', claimRef }] });
    return orchestration.runUntil(bots.runUntil(body(start)));
  }
}

export const openTask = (handle: WorkflowHandle): Promise<HumanTaskView> =>
  eventually(async () => (await handle.query(runViewQuery)).openTasks[0], 'an open task');
