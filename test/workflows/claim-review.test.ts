// ClaimReview's workflow on the real Temporal server, with our own collaborators faked: the bot
// steps and the inbox index activities. The Update validator's rules are checked here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { BOT_TASK_QUEUE } from '../../workflows/engine/bot-step';
import { BUSINESS_EXCEPTION } from '../../workflows/engine/failures';
import { cancelRunUpdate, completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import type { InboxActivities } from '../../activities/inbox';
import type { NotificationActivities, TandemEvent } from '../../workflows/engine/events';
import type { ClaimReviewBots, EnterAdjudicationInput, ReverseAdjudicationsInput } from '../../workflows/claim-review/bots';
import type { ClaimReviewOutcome, ExtractedClaim } from '../../workflows/claim-review/schema';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };
const outsider: Actor = { operatorId: 'carla.souza', teams: ['claims-review'], clients: ['globex-insurance'], roles: ['operator'] };

function claim(amountCents: number): ExtractedClaim {
  return { claimRef: 'CLM-1002', memberId: 'M-1', memberName: 'Jo Doe', diagnosisCode: 'J45.909', amountCents, status: 'open', submittedOn: '2026-11-01' };
}

/** Fake collaborators that record what the workflow asked of them. */
class Fakes {
  /** Every copy of a task the run mirrored to the index, in order. */
  synced: HumanTaskView[] = [];
  /** Every business event the run raised. */
  events: TandemEvent[] = [];
  entered: EnterAdjudicationInput[] = [];
  reversals: ReverseAdjudicationsInput[] = [];
  extractAttempts = 0;
  /** What the index answers for a new task (auto-assignment). */
  assignTo?: string;
  /** Holds the bot that enters the decision until released, so the run is still going. */
  enterGate: Promise<void> = Promise.resolve();
  constructor(public extract: () => ExtractedClaim) {}

  inbox(): InboxActivities & NotificationActivities {
    return {
      emitEvent: async (event) => void this.events.push(event),
      syncTask: async (task) => {
        this.synced.push(task);
        return task.version === 1 && this.assignTo ? { assignTo: this.assignTo } : {};
      },
    };
  }

  bots(): ClaimReviewBots {
    return {
      extractClaim: async () => {
        this.extractAttempts++;
        return this.extract();
      },
      enterAdjudication: async (input) => {
        await this.enterGate;
        this.entered.push(input);
        return { reference: input.reference, decision: input.decision, amountCents: input.amountCents, confirmation: `ADJ-${this.entered.length}`, submitted: true };
      },
      // Reverses what this fake entered under the run's references, as the claims system would list it.
      reverseAdjudications: async (input) => {
        this.reversals.push(input);
        const reversed = this.entered
          .map((e, i) => ({ e, confirmation: `ADJ-${i + 1}` }))
          .filter(({ e }) => input.references.includes(e.reference))
          .map(({ e, confirmation }) => ({ adjudication: confirmation, adjudicationReference: e.reference, reversal: `REV-${confirmation}`, reference: `${input.reference}:${confirmation}`, submitted: true }));
        return { reversed };
      },
    };
  }
}

let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;

beforeAll(async () => {
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE));
});
afterAll(async () => {
  await closeClient?.();
  await connection?.close();
});

async function withWorkers<T>(fakes: Fakes, body: (start: (amount?: Partial<{ autoApproveBelowCents: number }>) => Promise<WorkflowHandle>) => Promise<T>): Promise<T> {
  const taskQueue = uniqueId('orchestration');
  const namespace = stackEnv().TANDEM_UNIT_NAMESPACE!;
  const orchestration = await Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter: workerDataConverter(),
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities: fakes.inbox(),
  });
  const bots = await Worker.create({ connection, namespace, dataConverter: workerDataConverter(), taskQueue: BOT_TASK_QUEUE, activities: fakes.bots() });
  const start = (extra = {}) =>
    client.workflow.start('claimReview', { taskQueue, workflowId: uniqueId('claim-review'), args: [{ client: 'acme-health', claimRef: 'CLM-1002', ...extra }] });
  return orchestration.runUntil(bots.runUntil(body(start)));
}

const openTask = (handle: WorkflowHandle) =>
  eventually(async () => (await handle.query(runViewQuery)).openTasks[0], 'an open task');

async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('ClaimReview workflow', () => {
  it('approves a claim under the threshold without a human and enters it once with a run-derived reference', async () => {
    const fakes = new Fakes(() => claim(12_000));
    const outcome = await withWorkers(fakes, async (start) => (await start()).result() as Promise<ClaimReviewOutcome>);
    expect(outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve', amountCents: 12_000, decidedBy: 'auto' });
    expect(fakes.synced).toHaveLength(0);
    expect(fakes.entered).toHaveLength(1);
    expect(fakes.entered[0]!.reference).toMatch(/^claim-review-.+:enter-decision$/);
  });

  it('validates decisions before writing, records who decided, refuses a second completion and replays a repeated Update id', async () => {
    const fakes = new Fakes(() => claim(245_000));
    let releaseBot = (): void => undefined;
    fakes.enterGate = new Promise((resolve) => (releaseBot = resolve));
    await withWorkers(fakes, async (start) => {
      const handle = await start();
      const task = await openTask(handle);
      expect(task).toMatchObject({ kind: 'claim-review.review', team: 'claims-review', actions: ['approve', 'reject', 'correct'] });
      await eventually(async () => fakes.synced.length === 1, 'the task published to the inbox');
      const acceptedUpdates = async () =>
        (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;

      const bad = await updateFailure(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'reject', data: {}, actor: ana }] }));
      expect(bad.type).toBe('InvalidTaskDecision');
      expect(JSON.stringify(bad.details)).toContain('data.reason');
      const unknownAction = await updateFailure(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'escalate', data: {}, actor: ana }] }));
      expect(unknownAction.type).toBe('InvalidTaskDecision');
      const notYours = await updateFailure(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: outsider }] }));
      expect(notYours.type).toBe('TaskNotFound');
      // Rejected Updates write nothing to history: no Update was accepted.
      expect(await acceptedUpdates()).toBe(0);

      const decision = { taskId: task.taskId, action: 'correct', data: { amountCents: 200_000, reason: 'Duplicate line removed' }, actor: ana };
      const first = await handle.executeUpdate(completeTaskUpdate, { args: [decision], updateId: 'decide-1' });
      expect(first).toMatchObject({ status: 'completed', action: 'correct', replayed: false, decidedBy: { operatorId: 'ana.lima', team: 'claims-review', client: 'acme-health' } });
      const again = await handle.executeUpdate(completeTaskUpdate, { args: [decision], updateId: 'decide-1' });
      expect(again.decidedAt).toBe(first.decidedAt);
      const second = await updateFailure(handle.executeUpdate(completeTaskUpdate, { args: [{ ...decision, action: 'approve', data: {} }], updateId: 'decide-2' }));
      expect(second.type).toBe('TaskAlreadyCompleted');
      expect(await acceptedUpdates()).toBe(1);
      releaseBot();

      const outcome = (await handle.result()) as ClaimReviewOutcome;
      expect(outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve', amountCents: 200_000, decidedBy: 'ana.lima' });
      expect(fakes.entered).toHaveLength(1);
      const last = await eventually(async () => fakes.synced.find((t) => t.status === 'completed'), 'the completed task mirrored');
      expect(last).toMatchObject({ taskId: task.taskId, decision: { action: 'correct' } });
    });
  });

  it('routes a business exception to a human exception task, and retries the bot when told to', async () => {
    let failNext = true;
    const fakes = new Fakes(() => {
      if (failNext) {
        failNext = false;
        throw ApplicationFailure.create({ type: BUSINESS_EXCEPTION, message: 'Claim CLM-1002 not found', nonRetryable: true, details: [{ code: 'ClaimNotFound', details: { claimRef: 'CLM-1002' } }] });
      }
      return claim(100);
    });
    await withWorkers(fakes, async (start) => {
      const handle = await start();
      const task = await openTask(handle);
      expect(task.kind).toBe('claim-review.exception');
      expect(task.context).toMatchObject({ step: 'extract-claim', failure: { kind: 'business', code: 'ClaimNotFound' } });
      expect(fakes.extractAttempts).toBe(1); // non-retryable: no automatic retry
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'retry', data: {}, actor: ana }] });
      expect(await handle.result()).toMatchObject({ kind: 'adjudicated', decidedBy: 'auto' });
      expect(fakes.extractAttempts).toBe(2);
    });
  });

  it('records the assignee the inbox index picks for a new task', async () => {
    const fakes = new Fakes(() => claim(245_000));
    fakes.assignTo = 'ben.okafor';
    await withWorkers(fakes, async (start) => {
      const handle = await start();
      const task = await eventually(async () => (await handle.query(runViewQuery)).openTasks.find((t) => t.assignee), 'the task assigned');
      expect(task).toMatchObject({ assignee: 'ben.okafor', events: [{ event: 'opened' }, { event: 'reassigned', by: 'system' }] });
      const holder = await updateFailure(handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] }));
      expect(holder.type).toBe('TaskClaimed');
      expect(fakes.events).toEqual([expect.objectContaining({ type: 'task.assigned', taskId: task.taskId, data: expect.objectContaining({ assignee: 'ben.okafor' }) })]);
      await handle.cancel();
    });
  });

  it('cancels open tasks and retracts them from the inbox when the run is cancelled', async () => {
    const fakes = new Fakes(() => claim(999_999));
    await withWorkers(fakes, async (start) => {
      const handle = await start();
      const task = await openTask(handle);
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect(fakes.synced.find((t) => t.status === 'cancelled')).toMatchObject({ taskId: task.taskId });
      expect((await handle.describe()).status.name).toBe('CANCELLED');
    });
  });

  it('cancels through the cancelRun Update and Temporal: who and why once, a bot step in flight stops the run at once, the compensation looks for what was written', async () => {
    const fakes = new Fakes(() => claim(12_000)); // auto-approved: straight to the bot entering the decision
    let releaseBot = (): void => undefined;
    fakes.enterGate = new Promise((resolve) => (releaseBot = resolve));
    const sam: Actor = { operatorId: 'sam.rivera', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator', 'supervisor'] };
    const globexLead: Actor = { ...sam, operatorId: 'gina.globex', clients: ['globex-insurance'] };
    await withWorkers(fakes, async (start) => {
      try {
        await cancelMidBot(await start());
      } finally {
        releaseBot(); // the fake bot never heard of the cancel (it does not heartbeat): let it end
      }
    });
    async function cancelMidBot(handle: WorkflowHandle): Promise<void> {
      await eventually(async () => (await handle.query(runViewQuery)).waitingOn?.kind === 'bot' && (await handle.query(runViewQuery)).step === 'enter-decision', 'the bot entering the decision');
      const request = (actor: Actor) => handle.executeUpdate(cancelRunUpdate, { args: [{ actor, reason: 'Client withdrew the claim' }] });
      expect((await updateFailure(request(ana))).type).toBe('RunCancelForbidden');
      expect((await updateFailure(request(globexLead))).type).toBe('RunCancelForbidden');
      expect(await request(sam)).toMatchObject({ by: 'sam.rivera', reason: 'Client withdrew the claim' });
      const repeat = await updateFailure(request({ ...sam, operatorId: 'omar.haddad', roles: ['process-admin'] }));
      expect(repeat.type).toBe('RunAlreadyCancelling');
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      // Stopped at once: the cancelled bot step did not come back as a fault with an exception task.
      expect(fakes.synced).toEqual([]);
      expect(fakes.reversals).toHaveLength(1);
      expect(fakes.reversals[0]!.references).toEqual([expect.stringMatching(/:enter-decision$/), expect.stringMatching(/:qa-correction$/)]);
      expect(fakes.reversals[0]!.reason).toBe('Run cancelled by sam.rivera: Client withdrew the claim');
      const view = await handle.query(runViewQuery);
      expect(view).toMatchObject({ phase: 'cancelled', cancellation: { by: 'sam.rivera', compensations: [{ step: 'enter-decision', name: 'reverse-adjudication', outcome: 'nothing-to-undo' }] } });
      // A closed run takes no Update at all (the API answers 409 naming its status).
      await expect(request(sam)).rejects.toThrow(/already completed/);
    }
  });
});
