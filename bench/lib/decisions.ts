// What a decision is, as the suite times it: an operator's POST /tasks/:id/complete (after an untimed
// or timed take-next), and when the run's next step started, read afterwards from the run's history:
// the ActivityTaskStarted of the first activity scheduled after the decision's Update was accepted.
import type { Client } from '@temporalio/client';
import type { HumanTaskView } from '../../workflows/engine/messages';
import type { BenchOperator } from './auth';

/** Milliseconds since the epoch with sub-ms precision, comparable with history event times. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export async function postJson(url: string, headers: Record<string, string>, body: unknown, extra: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers, ...extra }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

export class BenchFailure extends Error {}

/** POST /teams/:team/take-next; null when the team has nothing open. */
export async function takeNext(apiUrl: string, operator: BenchOperator, team: string): Promise<HumanTaskView | null> {
  const res = await postJson(`${apiUrl}/teams/${team}/take-next`, operator.headers, {});
  if (res.status !== 200) throw new BenchFailure(`take-next answered ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  return (res.json?.task as HumanTaskView | null) ?? null;
}

export interface CompleteSample {
  runId: string;
  taskId: string;
  /** Request sent, reply received (epoch ms). */
  sentAt: number;
  repliedAt: number;
}

/** POST /tasks/:id/complete (approve, with the lease) for a task the operator claimed. */
export async function completeTask(apiUrl: string, operator: BenchOperator, task: HumanTaskView): Promise<CompleteSample> {
  const sentAt = epochNow();
  const res = await postJson(`${apiUrl}/tasks/${encodeURIComponent(task.taskId)}/complete`, operator.headers, { action: 'approve', data: {}, leaseId: task.claim?.leaseId });
  const repliedAt = epochNow();
  if (res.status !== 200 || res.json?.status !== 'completed') throw new BenchFailure(`complete ${task.taskId} answered ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  return { runId: task.runId, taskId: task.taskId, sentAt, repliedAt };
}

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
const msOf = (t: Timestamp): number => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN);

/** When the first activity scheduled after the Update `updateName` was accepted started (epoch ms), from the history. */
export async function nextStepStartedAt(temporal: Client, workflowId: string, updateName: string): Promise<number | undefined> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  let accepted = -1;
  events.forEach((e, i) => {
    if (e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === updateName) accepted = i;
  });
  if (accepted < 0) return undefined;
  const scheduled = events.slice(accepted).find((e) => e.activityTaskScheduledEventAttributes);
  if (!scheduled) return undefined;
  const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === Number(scheduled.eventId));
  return started ? msOf(started.eventTime as Timestamp) : undefined;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
