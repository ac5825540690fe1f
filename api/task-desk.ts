// Where operators act on tasks: every action is a Workflow Update on the task's run (the run's
// validator has the last word), mirrored at once into the inbox index so other operators see it
// within a second. The index is a convenience: when Redis is down, decisions still go through.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Logger } from 'pino';
import { TaskFailureType, type TaskFailureType as FailureType } from '../workflows/engine/failures';
import * as m from '../workflows/engine/messages';
import type { Actor, CompleteTaskResult, HumanTaskView } from '../workflows/engine/messages';
import type { DecisionIssue } from '../workflows/engine/task-form';
import type { TaskIndex } from '../inbox/task-index';
import { problems, type ProblemError } from './problems';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import type { TaskMetrics } from '../platform/metrics/task-metrics';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

const FAILURE_PROBLEMS: Record<FailureType, (f: ApplicationFailure) => ProblemError> = {
  [TaskFailureType.NotFound]: (f) => problems.taskNotFound(f.message),
  [TaskFailureType.AlreadyCompleted]: (f) => problems.taskAlreadyCompleted(f.message, { ...(f.details?.[0] as object) }),
  [TaskFailureType.Cancelled]: (f) => problems.taskCancelled(f.message),
  [TaskFailureType.Claimed]: (f) => problems.taskClaimed(f.message, { ...(f.details?.[0] as object) }),
  [TaskFailureType.LeaseExpired]: (f) => problems.leaseExpired(f.message, { field: 'body.leaseId' }),
  [TaskFailureType.Forbidden]: (f) => problems.forbidden(f.message),
  [TaskFailureType.InvalidRequest]: (f) => {
    const field = (f.details?.[0] as { field?: string } | undefined)?.field;
    return problems.invalidTaskRequest(f.message, field ? `body.${field}` : undefined);
  },
  [TaskFailureType.TooManyAttendedRuns]: (f) => problems.tooManyAttendedRuns(f.message, { ...(f.details?.[0] as object) }),
  [TaskFailureType.InvalidDecision]: (f) =>
    problems.invalidDecision(((f.details?.[0] as { issues?: DecisionIssue[] })?.issues ?? []).map((i) => ({ ...i, field: `body.${i.field}` }))),
};

/** The problem for a refusal the run raised (by the validator, or by a guard read through a Query). */
export function problemOfRefusal(failure: ApplicationFailure): ProblemError | undefined {
  return failure.type && failure.type in FAILURE_PROBLEMS ? FAILURE_PROBLEMS[failure.type as FailureType](failure) : undefined;
}

export type BulkResult = { taskId: string; ok: true; result: CompleteTaskResult } | { taskId: string; ok: false; problem: ProblemError['problem'] };

export class TaskDesk {
  constructor(
    private readonly temporal: Client,
    private readonly index: TaskIndex,
    private readonly log?: Logger,
    private readonly metrics?: TaskMetrics,
  ) {}

  /** Reads a task from its run (the source of truth); unknown and out-of-scope tasks are both 404. */
  async task(taskId: string, actor: Actor): Promise<HumanTaskView> {
    const runId = this.runOf(taskId);
    const task = await this.temporal.workflow
      .getHandle(runId)
      .query(m.taskQuery, taskId)
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      });
    if (!task || !inScope(task, actor)) throw problems.taskNotFound(`No task ${taskId}`);
    return task;
  }

  async decide(taskId: string, decision: { action: string; data: unknown; leaseId?: string }, actor: Actor, idempotencyKey?: string): Promise<CompleteTaskResult> {
    const updateId = idempotencyKey ? `complete:${taskId}:${sha(`${actor.operatorId}\n${idempotencyKey}`)}` : randomUUID();
    // The indexed copy, read beside the Update rather than after it (one Redis round trip off the reply).
    const indexed = this.index.get(taskId).catch(() => null);
    const result = await this.update(m.completeTaskUpdate, { taskId, actor, ...decision }, updateId);
    if (result.replayed) return result;
    const before = await indexed;
    await this.metrics?.decided(before, result, idempotencyKey ? updateId : undefined);
    // Drop it from every inbox now, not when the run's own index update lands.
    await this.mirror({ ...before, taskId, team: result.team, version: result.version, status: 'completed' } as HumanTaskView);
    return result;
  }

  /** Any other task transition: claim, renew, release, reassign, escalate, comment, label, run a bot. */
  async act<R extends m.TaskRequest>(def: UpdateDefinition<HumanTaskView, [R]>, request: R): Promise<HumanTaskView> {
    const moves = def.name === m.reassignTaskUpdate.name || def.name === m.escalateTaskUpdate.name;
    const before = moves ? await this.index.get(request.taskId).catch(() => null) : null;
    const task = await this.update(def, request, randomUUID());
    await this.mirror(task, before && before.team !== task.team ? before.team : undefined);
    return task;
  }

  /** Claims the most urgent open task of the team the operator may take; null when there is none. */
  async takeNext(team: string, actor: Actor, leaseMs?: number): Promise<HumanTaskView | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const taskId = await this.index.reserveNext(team, actor.operatorId, actor.clients);
      if (!taskId) return null;
      // Taken directly in the meantime, decided, or gone: its reservation keeps us off it; try the next.
      const task = await this.claimUnlessGone(taskId, actor, leaseMs);
      if (task) return task;
    }
    return null;
  }

  /** Take-next without the index (Redis away or rebuilding): the candidates in order, read from
   *  Temporal; the claim Update's validator keeps two operators off one task. */
  async takeNextOf(candidates: HumanTaskView[], actor: Actor, leaseMs?: number): Promise<HumanTaskView | null> {
    for (const candidate of candidates.slice(0, 20)) {
      const task = await this.claimUnlessGone(candidate.taskId, actor, leaseMs);
      if (task) return task;
    }
    return null;
  }

  private async claimUnlessGone(taskId: string, actor: Actor, leaseMs?: number): Promise<HumanTaskView | null> {
    try {
      return await this.act(m.claimTaskUpdate, { taskId, actor, ...(leaseMs ? { leaseMs } : {}) });
    } catch (err) {
      const status = (err as ProblemError).problem?.status;
      if (status !== 404 && status !== 409 && status !== 410) throw err;
      return null;
    }
  }

  async bulkComplete(taskIds: string[], decision: { action: string; data: unknown }, actor: Actor): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
    // A few at a time: each is its own Update, applied whole or not at all.
    for (let i = 0; i < taskIds.length; i += 8) {
      const slice = taskIds.slice(i, i + 8);
      results.push(
        ...(await Promise.all(
          slice.map(async (taskId): Promise<BulkResult> => {
            try {
              return { taskId, ok: true, result: await this.decide(taskId, decision, actor) };
            } catch (err) {
              const problem = (err as ProblemError).problem;
              if (!problem) throw err;
              return { taskId, ok: false, problem };
            }
          }),
        )),
      );
    }
    return results;
  }

  /** One Update on the task's run; the run's refusals become their problems. */
  async update<Ret, R extends m.TaskRequest>(def: UpdateDefinition<Ret, [R]>, request: R, updateId: string): Promise<Ret> {
    const runId = this.runOf(request.taskId);
    try {
      return await this.temporal.workflow.getHandle(runId).executeUpdate(def, { args: [request], updateId });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type && cause.type in FAILURE_PROBLEMS) throw FAILURE_PROBLEMS[cause.type as FailureType](cause);
      if (err instanceof WorkflowNotFoundError) throw await this.closedRunProblem(runId, request.taskId, request.actor);
      throw err;
    }
  }

  /** Best effort: the run mirrors every change itself, so a Redis outage loses nothing. */
  private async mirror(task: HumanTaskView, fromTeam?: string): Promise<void> {
    try {
      await this.index.put(task, fromTeam);
    } catch (err) {
      this.log?.warn({ err, taskId: task.taskId }, 'inbox index not updated; the run will retry');
    }
  }

  private async closedRunProblem(runId: string, taskId: string, actor: Actor): Promise<ProblemError> {
    const handle = this.temporal.workflow.getHandle(runId);
    const description = await handle.describe().catch(() => null);
    // A finished run still answers queries (replayed by a worker), so the answer can be precise,
    // but only to someone in the task's scope: anyone else learns nothing.
    let unread = false;
    const task = description ? await handle.query(m.taskQuery, taskId).catch(() => ((unread = true), null)) : null;
    // The query of an ended run goes through a worker's replay, which a busy worker may not answer
    // in time: that is no proof the task never was (a 404 would tell a retrying client so), and the
    // answer it needs, 409 naming who decided or its own decision, comes on the next try.
    // Only someone who may see the run's client hears that it exists: anyone else gets the 404.
    const runClient = description?.typedSearchAttributes.get(SEARCH_ATTRIBUTES.client);
    if (unread && runClient !== undefined && actor.clients.includes(runClient)) return problems.unavailable(`Run ${runId} has ended and its tasks could not be read just now; send the call again`);
    if (!description || !task || !inScope(task, actor)) return problems.taskNotFound(`No task ${taskId}`);
    if (description.status.name === 'CANCELLED' || task.status === 'cancelled') return problems.taskCancelled(`Run ${runId} was cancelled`);
    if (task.decision) {
      return problems.taskAlreadyCompleted(`Task ${taskId} was already completed by ${task.decision.decidedBy.operatorId}`, {
        decidedBy: task.decision.decidedBy,
        decidedAt: task.decision.decidedAt,
      });
    }
    return problems.runFinished(`Run ${runId} is ${description.status.name.toLowerCase()}; its tasks can no longer be changed`);
  }

  private runOf(taskId: string): string {
    const runId = m.runIdOfTask(taskId);
    if (!runId) throw problems.taskNotFound(`No task ${taskId}`);
    return runId;
  }
}

export function inScope(task: Pick<HumanTaskView, 'client' | 'team'>, actor: Actor): boolean {
  return actor.clients.includes(task.client) && actor.teams.includes(task.team);
}
