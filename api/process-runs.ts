// Starting and reading runs in Temporal: one run per business item (guarded by Temporal itself,
// see workflows/engine/run-identity.ts), idempotent starts, and a run's status, journal and
// outcome. Task operations live in task-desk.ts.
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from '../workflows/engine/process-definition';
import { cancelRunUpdate, runViewQuery, type Actor, type RunCancellation, type RunView } from '../workflows/engine/messages';
import { RunCancelFailureType } from '../workflows/engine/failures';
import { itemAttempts, MAX_ATTEMPTS, describeOrUndefined } from '../platform/business-item-runs';
import { problems } from './problems';
import { HistoryReader } from './audit/history-reader';
import { referenceRunId } from '../workflows/engine/run-identity';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import type { QaPolicies } from './qa-policies';

const SA = SEARCH_ATTRIBUTES;

export interface StartedRun {
  runId: string;
  created: boolean;
}

export interface StartOptions {
  idempotencyKey?: string;
  /** Who asks (recorded in the run's memo, so its audit shows it). */
  startedBy?: string;
  /** A supervisor's explicit request to work an item again whose run already completed. */
  reprocess?: { reason: string };
}

/** What a run's memo records of its start: read back by a repeated start and by the audit trail. */
export interface StartMemo {
  process: string;
  inputHash: string;
  /** Hash of (client, Idempotency-Key): a repeat with the same key is the same start. */
  idempotencyKey?: string;
  startedBy?: string;
  reprocess?: { reason: string; by?: string; previousRunId: string };
  /** The QA sampling the run was started with: the client's policy in force (its version), or the start's own. */
  qaPolicy?: { source: 'client-policy'; version: number } | { source: 'run-input' };
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
  constructor(
    private readonly client: Client,
    /** Absent: runs take no client QA policy (only what their input says). */
    private readonly qaPolicies?: QaPolicies,
  ) {}

  /**
   * Starts the run of a business item: at most one open run per (process, client, reference), and
   * none after one completed unless the process allows reprocessing or a supervisor asks for it.
   * The guard is Temporal's own: the run id is the item's, never reused, so two racing starts
   * cannot both succeed. The same Idempotency-Key (per client) always answers with its first run.
   */
  async start(process: ProcessDefinition, input: unknown, options: StartOptions = {}): Promise<StartedRun> {
    const client = process.clientOf(input);
    const ref = process.businessRefOf(input);
    const sampled = await this.withQaPolicy(process, client, input);
    const memo: StartMemo = {
      process: process.name,
      // The start as asked for: a repeat with the same key is the same start after a policy change too.
      inputHash: sha256(canonical(input)),
      ...(options.idempotencyKey ? { idempotencyKey: sha256(`${client}\n${options.idempotencyKey}`).slice(0, 32) } : {}),
      ...(options.startedBy ? { startedBy: options.startedBy } : {}),
      ...(sampled.qaPolicy ? { qaPolicy: sampled.qaPolicy } : {}),
    };
    input = sampled.input;
    // The common case, an item never seen: its first run at once, one call instead of a describe and
    // then the start; the id guard (conflict FAIL, reuse REJECT_DUPLICATE) refuses it if the item ever ran.
    const first = referenceRunId(process.name, client, ref, 1);
    try {
      await this.launch(process, first, input, memo, { client, ref });
      return { runId: first, created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // The item has a run: walk its attempts (a repeated key, an open or completed run, a retry).
    // A race lost to another start of the same attempt walks the item again: it will see that run.
    for (let walk = 0, raced = true; raced && walk < 3; walk++) {
      raced = false;
      let completed: WorkflowExecutionDescription | undefined;
      for await (const { runId, run: existing } of itemAttempts(this.client, { process: process.name, client, ref })) {
        if (!existing) {
          const reprocess = completed && options.reprocess ? { ...options.reprocess, by: options.startedBy, previousRunId: completed.workflowId } : undefined;
          if (completed && !reprocess && process.reprocessing !== 'allowed') throw itemDone(completed);
          try {
            await this.launch(process, runId, input, reprocess ? { ...memo, reprocess } : memo, { client, ref });
            return { runId, created: true };
          } catch (err) {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            raced = true;
            break;
          }
        }
        const existingMemo = existing.memo as Partial<StartMemo> | undefined;
        if (memo.idempotencyKey && existingMemo?.idempotencyKey === memo.idempotencyKey) return this.sameRun(runId, existing, memo.inputHash);
        if (existing.status.name === 'RUNNING') throw itemOpen(existing);
        // Completed: refused unless reprocessed (checked once the next free attempt is found, so a
        // repeated key on a later attempt still replays). Failed, cancelled, terminated: may go again.
        if (existing.status.name === 'COMPLETED') completed = existing;
      }
    }
    throw problems.businessItemDone(`${process.name} ${client}/${ref} has had ${MAX_ATTEMPTS} runs, or its starts keep racing; no more are started`);
  }

  /**
   * A process that takes QA policies: a start without `qaSampling` gets the client's policy in
   * force now, into the run's own input (its history), so the run samples by it to its end and on
   * replay, whatever changes later.
   */
  private async withQaPolicy(process: ProcessDefinition, client: string, input: unknown): Promise<{ input: unknown; qaPolicy?: StartMemo['qaPolicy'] }> {
    if (!process.qaPolicies || !this.qaPolicies || !input || typeof input !== 'object') return { input };
    if ((input as { qaSampling?: unknown }).qaSampling !== undefined) return { input, qaPolicy: { source: 'run-input' } };
    const { version, policy } = await this.qaPolicies.effective(client, process.name);
    return { input: policy ? { ...input, qaSampling: policy } : input, qaPolicy: { source: 'client-policy', version } };
  }

  private async launch(process: ProcessDefinition, runId: string, input: unknown, memo: StartMemo, item: { client: string; ref: string }): Promise<void> {
    await this.client.workflow.start(process.workflowType, {
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      workflowId: runId,
      args: [input],
      // The guard itself: a second open run of the item fails, and an id is never used twice.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { ...memo },
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SA.client, value: item.client },
        { key: SA.process, value: process.name },
        { key: SA.businessRef, value: item.ref },
      ]),
    });
  }

  /**
   * A supervisor's "work this item again": a new run of the process, with the input the earlier
   * run was started with, recorded as a reprocessing of it with who asked and why.
   */
  async reprocess(processes: readonly ProcessDefinition[], runId: string, request: { reason: string; by: string; clients: readonly string[] }): Promise<StartedRun> {
    const earlier = await this.describeOrNull(runId);
    const process = processes.find((p) => p.name === (earlier?.memo as Partial<StartMemo> | undefined)?.process);
    if (!earlier || !process) throw problems.runNotFound(`No run ${runId}`);
    const input = await this.inputOf(runId);
    // Another client's run is as unknown as a missing one.
    if (!request.clients.includes(process.clientOf(input))) throw problems.runNotFound(`No run ${runId}`);
    if (earlier.status.name === 'RUNNING') throw itemOpen(earlier);
    // A QA policy the earlier run took from its client is taken afresh; one its start set stays.
    const again = (earlier.memo as Partial<StartMemo> | undefined)?.qaPolicy?.source === 'client-policy' && input && typeof input === 'object' ? { ...input, qaSampling: undefined } : input;
    return this.start(process, again, { startedBy: request.by, reprocess: { reason: request.reason } });
  }

  /**
   * Cancels a run: first the cancelRun Update (who and why, into history; the run refuses a closed
   * run or an out-of-scope caller), then Temporal's own cancel. A repeat while the run is being
   * cancelled changes nothing and answers the same: the Update is refused as already cancelling,
   * and Temporal takes a second cancel request of one run as the first. A crash between the two
   * calls is mended by the repeat, which still sends the cancel.
   */
  async cancel(runId: string, request: { reason: string; actor: Actor }): Promise<{ snapshot: RunSnapshot; cancellation: RunCancellation; repeated: boolean }> {
    const description = await this.describeOrNull(runId);
    const client = description?.typedSearchAttributes.get(SA.client);
    // Another client's run is as unknown as a missing one.
    if (!description || !client || !request.actor.clients.includes(client)) throw problems.runNotFound(`No run ${runId}`);
    if (description.status.name !== 'RUNNING') throw closed(description);
    const handle = this.client.workflow.getHandle(runId);
    let cancellation: RunCancellation;
    let repeated = false;
    try {
      cancellation = await handle.executeUpdate(cancelRunUpdate, { args: [{ actor: request.actor, reason: request.reason }] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === RunCancelFailureType.AlreadyCancelling) {
        cancellation = cause.details?.[0] as RunCancellation;
        repeated = true;
      } else if (cause instanceof ApplicationFailure && cause.type === RunCancelFailureType.Forbidden) {
        throw problems.forbidden(cause.message);
      } else if (cause instanceof ApplicationFailure && /No registered handler for update/.test(cause.message)) {
        // No cancelRun handler: not a process run (an item batch, which is cancelled with its run).
        throw problems.runNotCancellable(`${runId} is not a process run that takes a cancel request; cancel the run it belongs to`);
      } else if (err instanceof WorkflowNotFoundError || (cause instanceof ApplicationFailure && cause.type === RunCancelFailureType.Finished)) {
        // It ended between the describe and the Update.
        throw closed((await this.describeOrNull(runId)) ?? description);
      } else throw err;
    }
    await handle.cancel();
    return { snapshot: await this.read(runId), cancellation, repeated };
  }

  /** The input a run was started with, read from its history through the client's codecs. */
  async inputOf(runId: string): Promise<unknown> {
    const reader = new HistoryReader(this.client, runId);
    const first = (await reader.events())[0]?.workflowExecutionStartedEventAttributes;
    const [input] = await reader.workflowValues(first?.input);
    return input;
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
    return (await describeOrUndefined(this.client, runId)) ?? null;
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

const runLink = (d: WorkflowExecutionDescription) => ({ runId: d.workflowId, url: `/runs/${d.workflowId}`, status: d.status.name.toLowerCase(), startedAt: d.startTime.toISOString() });

function closed(run: WorkflowExecutionDescription) {
  const status = run.status.name.toLowerCase();
  return problems.runClosed(`Run ${run.workflowId} has already ended: it is ${status}, so there is nothing to cancel`, { run: runLink(run), runStatus: status });
}

function itemOpen(open: WorkflowExecutionDescription) {
  return problems.businessItemOpen(`Run ${open.workflowId} is already working this item; follow it at /runs/${open.workflowId}`, { run: runLink(open) });
}

function itemDone(done: WorkflowExecutionDescription) {
  return problems.businessItemDone(
    `Run ${done.workflowId} already completed this item. A supervisor may reprocess it with a reason (POST /runs/${done.workflowId}/reprocess).`,
    { run: runLink(done) },
  );
}
