// Loads the inbox: N manual-task runs, each waiting on one open task of the bench team, then waits
// until both the Redis index and Temporal visibility see all of them.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TaskIndex } from '../../inbox/task-index';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import type { ManualTaskInput } from '../../workflows/manual-task/schema';

export const TEAM = 'bench-review';
export const CLIENT = 'bench-client';
/** What the visibility baseline asks for: the team's running runs with an open task. */
export const OPEN_QUERY = `TandemTeams = '${TEAM}' AND TandemOpenTasks > 0 AND ExecutionStatus = 'Running'`;
export const COMPLETED_QUERY = `WorkflowType = 'manualTask' AND ExecutionStatus = 'Completed'`;

export const openQueueKey = (index: TaskIndex): string => `${index.prefix}:team:${TEAM}:open`;

/** Small seeded PRNG (mulberry32), so two runs load the same priorities and due times. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadReport {
  tasks: number;
  concurrency: number;
  /** Until every start call returned. */
  startsMs: number;
  /** Until the index and visibility both counted every task. */
  readyMs: number;
  indexReadyMs: number;
  visibilityReadyMs: number;
  startsPerSec: number;
  /** Tasks per second, start of loading to both views ready. */
  readyPerSec: number;
  byPriority: Record<string, number>;
}

export async function loadTasks(opts: { temporal: Client; index: TaskIndex; tasks: number; concurrency: number; seed: number; log: (line: string) => void }): Promise<LoadReport> {
  const { temporal, index, tasks, concurrency, log } = opts;
  const random = prng(opts.seed);
  const now = Date.now();
  const inputs: ManualTaskInput[] = Array.from({ length: tasks }, (_, i) => ({
    client: CLIENT,
    reference: `BENCH-${String(i + 1).padStart(6, '0')}`,
    title: `Bench decision ${i + 1}`,
    team: TEAM,
    priority: 1 + Math.floor(random() * 5),
    // Due between 1 hour and 14 days from now, to the second.
    dueAt: new Date(Math.floor((now + 3_600_000 + random() * 13.96 * 86_400_000) / 1000) * 1000).toISOString(),
  }));
  const byPriority: Record<string, number> = {};
  for (const input of inputs) byPriority[String(input.priority)] = (byPriority[String(input.priority)] ?? 0) + 1;

  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let lastPrint = t0;
  const startOne = async (): Promise<void> => {
    while (next < inputs.length) {
      const input = inputs[next++]!;
      // What ProcessRuns.start does without an Idempotency-Key; the workflow sets its own search attributes.
      await temporal.workflow.start('manualTask', { taskQueue: ORCHESTRATION_TASK_QUEUE, workflowId: `manual-task-${randomUUID()}`, args: [input] });
      done++;
      const t = performance.now();
      if (t - lastPrint > 5000) {
        lastPrint = t;
        log(`  started ${done}/${tasks} runs (${((done * 1000) / (t - t0)).toFixed(0)} runs/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks) }, startOne));
  const startsMs = performance.now() - t0;
  log(`  all ${tasks} runs started in ${(startsMs / 1000).toFixed(1)} s; waiting for the index and visibility to see them`);

  const ready = await waitForCounts(temporal, index, tasks, Math.max(180_000, tasks * 150), log, t0);
  const readyMs = Math.max(ready.indexAt, ready.visibilityAt) - t0;
  return {
    tasks,
    concurrency,
    startsMs,
    readyMs,
    indexReadyMs: ready.indexAt - t0,
    visibilityReadyMs: ready.visibilityAt - t0,
    startsPerSec: (tasks * 1000) / startsMs,
    readyPerSec: (tasks * 1000) / readyMs,
    byPriority,
  };
}

export async function counts(temporal: Client, index: TaskIndex): Promise<{ index: number; visibility: number }> {
  const [indexCount, visibility] = await Promise.all([index.redis.zcard(openQueueKey(index)), temporal.workflow.count(OPEN_QUERY)]);
  return { index: indexCount, visibility: visibility.count };
}

/** Polls until the index's open queue and the visibility count both equal `expected`. */
export async function waitForCounts(
  temporal: Client,
  index: TaskIndex,
  expected: number,
  timeoutMs: number,
  log?: (line: string) => void,
  since = performance.now(),
): Promise<{ indexAt: number; visibilityAt: number }> {
  const deadline = performance.now() + timeoutMs;
  let indexAt = 0;
  let visibilityAt = 0;
  let lastPrint = performance.now();
  for (;;) {
    const c = await counts(temporal, index);
    const t = performance.now();
    if (!indexAt && c.index === expected) indexAt = t;
    if (!visibilityAt && c.visibility === expected) visibilityAt = t;
    if (indexAt && visibilityAt) return { indexAt, visibilityAt };
    if (t > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expected} open tasks: index ${c.index}, visibility ${c.visibility}`);
    if (log && t - lastPrint > 5000) {
      lastPrint = t;
      log(`  ${((t - since) / 1000).toFixed(0)} s: index ${c.index}/${expected}, visibility ${c.visibility}/${expected}`);
    }
    await new Promise((r) => setTimeout(r, expected > 1000 ? 500 : 100));
  }
}
