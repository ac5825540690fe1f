// Rebuilds the inbox index from Temporal, the source of truth: every running run with open tasks
// (a visibility query on TandemOpenTasks) is asked for its tasks (a workflow Query). Versioned
// writes make it safe to run while runs keep changing their tasks.
import type { Client } from '@temporalio/client';
import { runViewQuery } from '../workflows/engine/messages';
import type { TaskIndex } from './task-index';

export interface RebuildReport {
  runs: number;
  tasks: number;
  ms: number;
}

const PARALLEL_QUERIES = 16;

export async function rebuildInbox(temporal: Client, index: TaskIndex): Promise<RebuildReport> {
  const started = Date.now();
  let runs = 0;
  let tasks = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  const executions = temporal.workflow.list({ query: "ExecutionStatus = 'Running' AND TandemOpenTasks > 0" });
  for await (const execution of executions) {
    const job = (async () => {
      const view = await temporal.workflow.getHandle(execution.workflowId).query(runViewQuery).catch(() => undefined);
      if (!view) return; // finished since the visibility read: nothing of it belongs in the index
      runs++;
      for (const task of view.openTasks) if (await index.put(task)) tasks++;
    })();
    inFlight.add(job);
    job.then(() => inFlight.delete(job), (err: unknown) => ((failure ??= { err }), inFlight.delete(job)));
    if (inFlight.size >= PARALLEL_QUERIES) await Promise.race(inFlight).catch(() => undefined);
    if (failure) break;
  }
  // A failed write fails the rebuild only once every query settled: none outlives it.
  await Promise.allSettled(inFlight);
  if (failure) throw failure.err;
  await index.markBuilt(new Date().toISOString());
  return { runs, tasks, ms: Date.now() - started };
}

/** Rebuilds on demand when the index is found empty (Redis flushed or new), once at a time. */
export class InboxKeeper {
  private building?: Promise<RebuildReport>;

  constructor(
    private readonly temporal: Client,
    private readonly index: TaskIndex,
    private readonly onRebuild?: (report: RebuildReport) => void,
  ) {}

  /** True when the index can answer now: built, and no rebuild running. */
  async isReady(): Promise<boolean> {
    return !this.building && (await this.index.isBuilt());
  }

  /** Starts a rebuild if none runs, without waiting for it; its failure is reported, not thrown
   *  (the next request that finds the index unbuilt starts another). */
  rebuildInBackground(onError: (err: unknown) => void): void {
    if (!this.building) this.ensureBuilt().catch(onError);
  }

  async ensureBuilt(): Promise<void> {
    // One EXISTS per request: cheap next to the read it guards, and a flush is noticed at once.
    if (!this.building && (await this.index.isBuilt())) return;
    this.building ??= rebuildInbox(this.temporal, this.index)
      .then((report) => {
        this.onRebuild?.(report);
        return report;
      })
      .finally(() => {
        this.building = undefined;
      });
    await this.building;
  }
}
