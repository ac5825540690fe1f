// Item batches as the API sees them: each is a workflow (type `itemBatch`) read with Queries and
// fed with Updates. The batch's client comes from its TandemClient search attribute, so another
// client's batch answers exactly as a missing one does (404: ids cannot be probed).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import * as b from '../workflows/engine/batch-messages';
import type { BatchProgress, BatchView, DuplicateItem } from './batch-schemas';
import type { BatchSummary } from '../workflows/engine/item-batch-workflow';
import { RunStatus } from './schemas';
import { problems, type FieldIssue, type ProblemError } from './problems';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';

/** The workflow type every batch runs as; anything else under a batch id is not a batch. */
export const BATCH_WORKFLOW_TYPE = 'itemBatch';

const SA = SEARCH_ATTRIBUTES;

/** A batch the caller may see: found, of the caller's clients. */
export interface OpenBatch {
  batchId: string;
  client: string;
  description: WorkflowExecutionDescription;
  handle: WorkflowHandle;
}

type Failure = ApplicationFailure & { details?: unknown[] | null };
type FailureType = (typeof b.BatchFailureType)[keyof typeof b.BatchFailureType];

const detail = <T>(f: Failure): Partial<T> => ((f.details?.[0] ?? {}) as Partial<T>);

const FAILURE_PROBLEMS: Record<FailureType, (f: Failure) => ProblemError> = {
  [b.BatchFailureType.DuplicateItem]: (f) => duplicateProblem(f.message, detail<{ duplicates: Omit<z.infer<typeof DuplicateItem>, 'field'>[] }>(f).duplicates ?? []),
  [b.BatchFailureType.InvalidItem]: (f) =>
    problems.invalidItems((detail<{ issues: FieldIssue[] }>(f).issues ?? []).map((issue) => ({ field: `body.${issue.field}`, message: issue.message }))),
  [b.BatchFailureType.ItemNotPostponable]: (f) => problems.itemNotPostponable(f.message, { ...detail<object>(f) }),
  [b.BatchFailureType.ItemNotFound]: (f) => problems.itemNotFound(f.message),
  [b.BatchFailureType.BatchClosing]: (f) => problems.batchClosed(f.message),
};

function duplicateProblem(message: string, duplicates: Omit<z.infer<typeof DuplicateItem>, 'field'>[]): ProblemError {
  const listed = duplicates.map((d) => ({ ...d, field: `body.items.${d.index}.ref` }));
  const errors = listed.map((d) => ({
    field: d.field,
    message: d.status === 'repeated-in-request' ? `${d.ref} appears more than once in this request` : `${d.ref} is already in the batch (${d.status})`,
  }));
  return problems.duplicateItems(message || 'Some items are already in the batch; nothing was added', { field: errors[0]?.field, errors, duplicates: listed });
}

export class ItemBatches {
  constructor(private readonly temporal: Client) {}

  /** The batch, if it exists and works for one of `clients`; otherwise 404. */
  async open(batchId: string, clients: readonly string[]): Promise<OpenBatch> {
    const handle = this.temporal.workflow.getHandle(batchId);
    const description = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
    const client = description?.type === BATCH_WORKFLOW_TYPE ? description.typedSearchAttributes.get(SA.client) : undefined;
    if (!description || !client || !clients.includes(client)) throw problems.batchNotFound(`No batch ${batchId}`);
    return { batchId, client, description, handle };
  }

  /** Progress from the batch itself; a closed batch is replayed by a worker to answer, or read from its result. */
  async progress(batch: OpenBatch): Promise<z.infer<typeof BatchView>> {
    const { description, handle } = batch;
    const progress = (await handle.query(b.batchProgressQuery).catch(() => undefined)) ?? (await this.fromResult(batch));
    if (!progress) throw problems.unavailable(`Batch ${batch.batchId} cannot tell its progress now; try again shortly`);
    return { ...progress, status: statusOf(description), ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}) };
  }

  async items(batch: OpenBatch, request: b.ItemsPageRequest): Promise<b.ItemsPage> {
    try {
      return await batch.handle.query(b.batchItemsQuery, request);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.batchNotFound(`No batch ${batch.batchId}`);
      throw problems.unavailable(`Batch ${batch.batchId} cannot list its items now; try again shortly`);
    }
  }

  async enqueue(batch: OpenBatch, items: b.BatchItem[], by: string): Promise<b.EnqueueItemsResult> {
    return this.update(batch, b.enqueueItemsUpdate, { items, by });
  }

  async postpone(batch: OpenBatch, ref: string, until: string, by: string): Promise<b.ItemView> {
    return this.update(batch, b.postponeItemUpdate, { ref, until, by });
  }

  private async update<Ret, Arg>(batch: OpenBatch, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    const closed = () => problems.batchClosed(`Batch ${batch.batchId} is ${statusOf(batch.description)}; it takes no more changes`);
    if (batch.description.status.name !== 'RUNNING') throw closed();
    try {
      return await batch.handle.executeUpdate(def, { args: [arg] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type && cause.type in FAILURE_PROBLEMS) throw FAILURE_PROBLEMS[cause.type as FailureType](cause);
      // Closed between describe and the Update.
      if (err instanceof WorkflowNotFoundError) throw closed();
      throw err;
    }
  }

  /** A completed batch's summary (its result), when no worker is there to replay the run. */
  private async fromResult({ batchId, client, description, handle }: OpenBatch): Promise<z.infer<typeof BatchProgress> | undefined> {
    if (description.status.name !== 'COMPLETED') return undefined;
    const summary = (await handle.result().catch(() => undefined)) as Partial<BatchSummary> | undefined;
    if (!summary?.counts || summary.total === undefined || !summary.startedAt) return undefined;
    return {
      batchId,
      batchKey: summary.batchKey ?? description.typedSearchAttributes.get(SA.businessRef) ?? '',
      client,
      process: description.typedSearchAttributes.get(SA.process) ?? '',
      phase: 'completed',
      startedAt: summary.startedAt,
      counts: summary.counts,
      total: summary.total,
      generation: summary.generations ?? 1,
      skippedFromEarlierRun: summary.skippedFromEarlierRun ?? 0,
      attended: [],
    };
  }
}

function statusOf(description: WorkflowExecutionDescription): z.infer<typeof RunStatus> {
  const parsed = RunStatus.safeParse(description.status.name.toLowerCase());
  return parsed.success ? parsed.data : 'running';
}
