// Starting and reading runs in Temporal: idempotent starts, and a run's status, journal and
// outcome. Task operations live in task-desk.ts.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from '../workflows/engine/process-definition';
import { runViewQuery, type RunView } from '../workflows/engine/messages';
import { problems } from './problems';

const SA = {
  client: defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD),
  process: defineSearchAttributeKey('TandemProcess', SearchAttributeType.KEYWORD),
  businessRef: defineSearchAttributeKey('TandemBusinessRef', SearchAttributeType.KEYWORD),
};

export interface StartedRun {
  runId: string;
  created: boolean;
}

export interface RunSnapshot {
  description: WorkflowExecutionDescription;
  view?: RunView;
  outcome?: unknown;
  failure?: { message: string; type?: string };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with sorted keys, so the same input always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class ProcessRuns {
  constructor(private readonly client: Client) {}

  /** Starts a run; with an idempotency key, the same key (per client) always yields the same run. */
  async start(process: ProcessDefinition, input: unknown, idempotencyKey?: string): Promise<StartedRun> {
    const client = process.clientOf(input);
    const inputHash = sha256(canonical(input));
    const runId = idempotencyKey ? `${process.name}-${sha256(`${client}\n${idempotencyKey}`).slice(0, 32)}` : `${process.name}-${randomUUID()}`;
    if (idempotencyKey) {
      const existing = await this.describeOrNull(runId);
      if (existing) return this.sameRun(runId, existing, inputHash);
    }
    await this.client.workflow.start(process.workflowType, {
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      workflowId: runId,
      args: [input],
      // A concurrent start with the same key joins the run; a finished one is never restarted.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { inputHash, process: process.name },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SA.client, value: client },
        { key: SA.process, value: process.name },
        { key: SA.businessRef, value: process.businessRefOf(input) },
      ]),
    });
    return { runId, created: true };
  }

  async read(runId: string): Promise<RunSnapshot> {
    const handle = this.client.workflow.getHandle(runId);
    const description = await this.describeOrNull(runId);
    if (!description) throw problems.runNotFound(`No run ${runId}`);
    const snapshot: RunSnapshot = { description, view: await this.queryView(handle) };
    const status = description.status.name;
    if (status === 'COMPLETED') snapshot.outcome = await handle.result();
    else if (status !== 'RUNNING') snapshot.failure = await this.failureOf(handle);
    return snapshot;
  }

  private sameRun(runId: string, existing: WorkflowExecutionDescription, inputHash: string): StartedRun {
    if (existing.memo?.inputHash !== inputHash) {
      throw problems.idempotencyConflict(`Run ${runId} was started with this Idempotency-Key and a different input`, {
        field: 'header.idempotency-key',
      });
    }
    return { runId, created: false };
  }

  private async describeOrNull(runId: string): Promise<WorkflowExecutionDescription | null> {
    try {
      return await this.client.workflow.getHandle(runId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  private async queryView(handle: WorkflowHandle): Promise<RunView | undefined> {
    try {
      return await handle.query(runViewQuery);
    } catch {
      // A run that failed before the engine set its handlers, or no worker to answer: describe still tells its status.
      return undefined;
    }
  }

  private async failureOf(handle: WorkflowHandle): Promise<{ message: string; type?: string }> {
    try {
      await handle.result();
      return { message: 'unknown' };
    } catch (err) {
      // The root cause: a run whose child (an item batch) failed should say why the child failed.
      let cause = err as Error;
      while ((cause as { cause?: Error }).cause) cause = (cause as { cause: Error }).cause;
      return { message: cause.message, type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause.name };
    }
  }
}
