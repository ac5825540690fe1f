// One sample of each way to take the next task and decide it:
//  - ours: POST /teams/:team/take-next (Redis index → claim Update) then POST /tasks/:id/complete, over HTTP;
//  - baseline: a visibility list (first page), a query per candidate to learn its priority and due
//    time, the most urgent of that page claimed and completed with the same Updates, straight to Temporal.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { taskScore, type TaskIndex } from '../../inbox/task-index';
import { TaskFailureType } from '../../workflows/engine/failures';
import { claimTaskUpdate, completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import type { BenchOperator } from './auth';
import { OPEN_QUERY, TEAM, openQueueKey } from './inbox-load';

export interface IndexSample {
  taskId: string;
  operatorId: string;
  score: number;
  takeNextMs: number;
  completeMs: number;
  totalMs: number;
}

export interface VisibilitySample {
  taskId: string;
  operatorId: string;
  score: number;
  listMs: number;
  queriesMs: number;
  claimMs: number;
  completeMs: number;
  totalMs: number;
  /** Runs on the page with no open task of the team any more (visibility lags behind the runs). */
  staleOnPage: number;
  /** Queries that failed (the run is then ignored, as a stale one). */
  queryFailures: number;
  /** Claims refused (someone else got there first) before one succeeded. */
  claimConflicts: number;
}

export class CheckFailed extends Error {}

async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

export async function viaIndex(apiUrl: string, operator: BenchOperator): Promise<IndexSample> {
  const operatorId = operator.id;
  const t0 = performance.now();
  const taken = await postJson(`${apiUrl}/teams/${TEAM}/take-next`, operator.headers, {});
  const t1 = performance.now();
  const task = taken.json?.task as HumanTaskView | null | undefined;
  if (taken.status !== 200 || !task) throw new CheckFailed(`take-next answered ${taken.status} ${JSON.stringify(taken.json).slice(0, 300)}`);
  if (task.status !== 'claimed' || task.claim?.operatorId !== operatorId) throw new CheckFailed(`take-next gave ${task.taskId} not claimed by ${operatorId}`);
  const done = await postJson(`${apiUrl}/tasks/${encodeURIComponent(task.taskId)}/complete`, operator.headers, { action: 'approve', data: {}, leaseId: task.claim.leaseId });
  const t2 = performance.now();
  if (done.status !== 200 || done.json?.status !== 'completed') throw new CheckFailed(`complete ${task.taskId} answered ${done.status} ${JSON.stringify(done.json).slice(0, 300)}`);
  return { taskId: task.taskId, operatorId, score: taskScore(task), takeNextMs: t1 - t0, completeMs: t2 - t1, totalMs: t2 - t0 };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

const CONFLICTS: string[] = [TaskFailureType.Claimed, TaskFailureType.AlreadyCompleted, TaskFailureType.NotFound, TaskFailureType.Cancelled];

function isConflict(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  return cause instanceof ApplicationFailure && CONFLICTS.includes(cause.type ?? '');
}

export async function viaVisibility(temporal: Client, actor: Actor, opts: { pageSize: number; queryConcurrency: number }): Promise<VisibilitySample> {
  const t0 = performance.now();
  const page: string[] = [];
  // Only the first page: the iterator asks for the next page only when we read past this one.
  for await (const execution of temporal.workflow.list({ query: OPEN_QUERY, pageSize: opts.pageSize })) {
    page.push(execution.workflowId);
    if (page.length >= opts.pageSize) break;
  }
  const t1 = performance.now();
  // Visibility carries no priority or due time: ask each run for its open tasks.
  let queryFailures = 0;
  const views = await mapLimit(page, opts.queryConcurrency, (id) =>
    temporal.workflow
      .getHandle(id)
      .query(runViewQuery)
      .catch(() => {
        queryFailures++;
        return null;
      }),
  );
  const candidates = views
    .flatMap((v) => v?.openTasks ?? [])
    .filter((t) => t.status === 'open' && t.team === TEAM && actor.clients.includes(t.client) && (!t.assignee || t.assignee === actor.operatorId))
    .sort((a, b) => taskScore(a) - taskScore(b) || (a.taskId < b.taskId ? -1 : 1));
  const staleOnPage = views.filter((v) => !v?.openTasks.some((t) => t.status === 'open' && t.team === TEAM)).length;
  const t2 = performance.now();
  let claimed: HumanTaskView | undefined;
  let claimConflicts = 0;
  for (const candidate of candidates) {
    try {
      claimed = await temporal.workflow.getHandle(candidate.runId).executeUpdate(claimTaskUpdate, { args: [{ taskId: candidate.taskId, actor }] });
      break;
    } catch (err) {
      if (!isConflict(err)) throw err;
      claimConflicts++;
    }
  }
  const t3 = performance.now();
  if (!claimed?.claim) throw new CheckFailed(`visibility baseline: no claimable task on a page of ${page.length} runs (${candidates.length} candidates)`);
  const result = await temporal.workflow.getHandle(claimed.runId).executeUpdate(completeTaskUpdate, {
    args: [{ taskId: claimed.taskId, actor, action: 'approve', data: {}, leaseId: claimed.claim.leaseId }],
  });
  const t4 = performance.now();
  if (result.status !== 'completed') throw new CheckFailed(`visibility baseline: complete ${claimed.taskId} gave ${JSON.stringify(result)}`);
  return {
    taskId: claimed.taskId,
    operatorId: actor.operatorId,
    score: taskScore(claimed),
    listMs: t1 - t0,
    queriesMs: t2 - t1,
    claimMs: t3 - t2,
    completeMs: t4 - t3,
    totalMs: t4 - t0,
    staleOnPage,
    queryFailures,
    claimConflicts,
  };
}

/** How many open tasks in the index are more urgent than `score` (0 = it was the global next). Untimed. */
export async function moreUrgentThan(index: TaskIndex, score: number): Promise<number> {
  return index.redis.zcount(openQueueKey(index), '-inf', `(${score}`);
}
