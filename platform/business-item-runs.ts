// The runs of one business item, as Temporal holds them: its attempts `…`, `…:r2`, … read by
// describe (strongly consistent, unlike visibility) up to the first id never used. An API start
// (api/process-runs.ts) and a schedule's launcher (activities/business-items.ts) both walk them.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { referenceRunId } from '../workflows/engine/run-identity';

/** More attempts at one business item than any real one needs; past it a start is refused rather than looping. */
export const MAX_ATTEMPTS = 100;

export interface ItemAttempt {
  attempt: number;
  runId: string;
  /** Undefined for the first id never used: where the next run would start. */
  run?: WorkflowExecutionDescription;
}

/** Each used attempt in order, then the first free one (the last yielded); nothing past MAX_ATTEMPTS. */
export async function* itemAttempts(temporal: Client, item: { process: string; client: string; ref: string }): AsyncGenerator<ItemAttempt> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const runId = referenceRunId(item.process, item.client, item.ref, attempt);
    const run = await describeOrUndefined(temporal, runId);
    yield { attempt, runId, ...(run ? { run } : {}) };
    if (!run) return;
  }
}

export async function describeOrUndefined(temporal: Client, runId: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await temporal.workflow.getHandle(runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
