// Work spread over a few lanes, and the ManualTask runs most scenarios decide: opened through the
// API as the supervisor, each with its one open task found through GET /runs/:id.
import { sleep, type Tandem } from './tandem';

/** Runs `work` over `items`, `limit` at a time; `lane` says which of the `limit` lanes runs it. */
export async function pool<T>(items: T[], limit: number, work: (item: T, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async (_, lane) => {
      while (next < items.length) await work(items[next++]!, lane);
    }),
  );
}

export interface OpenTask {
  reference: string;
  runId: string;
  taskId: string;
}

/** Starts `count` ManualTask runs for claims-review (references `${key}-1`…) and waits for each one's task. */
export async function openManualTasks(tandem: Tandem, key: string, count: number, parallel = 10): Promise<OpenTask[]> {
  const refs = Array.from({ length: count }, (_, i) => `${key}-${i + 1}`);
  const tasks: OpenTask[] = [];
  await pool(refs, parallel, async (reference) => {
    const runId = await tandem.startManualTask(reference);
    for (let tries = 0; tries < 240; tries++, await sleep(250)) {
      const taskId = (await tandem.run(runId))?.taskId;
      if (taskId) return void tasks.push({ reference, runId, taskId });
    }
    throw new Error(`run ${runId} has no open task after 60 s`);
  });
  return tasks;
}

/** Percent rank of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
