// The batch workflow. `itemBatch` works through a list of items, `concurrency` at a time, keeping
// each item's status and attempts; it continues as new every `itemsPerGeneration` items so its
// history stays bounded however long the list. An item that fails for good, or needs a human,
// moves to `batchItem` (batch-item.ts), a run of its own with a human task, and reports back with
// a signal: the batch goes on meanwhile and finishes only when every item is done, skipped or done by hand.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  allHandlersFinished,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { BotFailure } from './bot-step';
import { AttendedStepNeeded, ItemFailed, ItemSkipped } from './item-batch';
import * as b from './batch-messages';
import type { BatchItemInput, BatchProgress, BatchSummary, ItemBatchStart, ItemFailureView, ItemSettlement, ItemView } from './batch-messages';
import type { BatchHistoryActivities, NotificationActivities } from '../../contract/activities';
import { checkNewItems, ItemBook, packRecord, unpackRecord, view, type ItemRecord, type PackedRecord } from './item-book';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { batchItem } from './batch-item';
import { itemContext, requireHandler } from './item-context';

// The bundle's entry exports this module's workflows: the item run is one of them.
export { batchItem } from './batch-item';
export type { BatchItemInput, BatchSummary } from './batch-messages';

/** The batch workflow's input: the start, plus what the batch carries across continue-as-new. */
export interface ItemBatchInput extends ItemBatchStart {
  /** Set by the batch itself when it continues as new. */
  carried?: CarriedBatch;
}

interface CarriedBatch {
  startedAt: string;
  generation: number;
  skippedFromEarlierRun: number;
  /** Every record in batch order, packed (see packRecord): tens of thousands must fit one payload. */
  records: PackedRecord[];
}

export type { BatchHistoryActivities } from '../../contract/activities';

const history = proxyActivities<BatchHistoryActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 5 } });
const notices = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const SA = SEARCH_ATTRIBUTES;

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_ITEMS_PER_GENERATION = 500;
/** Continue as new well before Temporal's own warnings (10,240 events), whatever the item count. */
const MAX_HISTORY_EVENTS = 8_000;
const nowIso = (): string => new Date().toISOString();

function failureView(failure: BotFailure): ItemFailureView {
  return { kind: failure.kind, code: failure.code, message: failure.message, ...(failure.evidence ? { evidence: failure.evidence } : {}) };
}

export async function itemBatch(input: ItemBatchInput): Promise<BatchSummary> {
  const info = workflowInfo();
  const batchId = info.workflowId;
  const handler = requireHandler(input.handler);
  const concurrency = Math.max(1, Math.min(input.concurrency ?? DEFAULT_CONCURRENCY, 200));
  const itemsPerGeneration = Math.max(1, input.itemsPerGeneration ?? DEFAULT_ITEMS_PER_GENERATION);
  const carried = input.carried;
  const startedAt = carried?.startedAt ?? nowIso();
  const generation = carried?.generation ?? 1;
  let skippedFromEarlierRun = carried?.skippedFromEarlierRun ?? 0;
  const book = new ItemBook();
  let closing = false;
  let changes = 0;
  const changed = (): void => void (changes += 1);

  upsertSearchAttributes([
    { key: SA.client, value: input.client },
    { key: SA.process, value: input.process },
    { key: SA.businessRef, value: input.batchKey },
    { key: SA.status, value: 'running' },
  ]);

  const progress = (): BatchProgress => ({
    batchId,
    batchKey: input.batchKey,
    client: input.client,
    process: input.process,
    handler: input.handler,
    phase: closing ? 'completed' : 'running',
    startedAt,
    counts: { ...book.counts },
    total: book.records.size,
    concurrency,
    generation,
    skippedFromEarlierRun,
    attended: [...book.records.values()].filter((r) => r.status === 'attended').slice(0, 100).map(view),
  });

  setHandler(b.batchProgressQuery, progress);
  setHandler(b.batchDoneRefsQuery, () =>
    [...book.records.values()].filter((r) => r.status === 'done' || r.status === 'completed-manually').map((r) => r.ref),
  );
  setHandler(b.batchItemsQuery, ({ status, after, limit }) => {
    const max = Math.max(1, Math.min(limit ?? 100, 500));
    const items: ItemView[] = [];
    let passed = after === undefined;
    for (const record of book.records.values()) {
      if (!passed) {
        passed = record.ref === after;
        continue;
      }
      if (status && record.status !== status) continue;
      if (items.length === max) return { items, next: items[items.length - 1]!.ref };
      items.push(view(record));
    }
    return { items };
  });
  setHandler(
    b.enqueueItemsUpdate,
    ({ items }) => {
      for (const item of items) book.add({ ref: item.ref, status: 'pending', attempts: 0, data: item.data, ...(item.notBefore ? { notBefore: item.notBefore } : {}) });
      changed();
      return { accepted: items.length, total: book.records.size };
    },
    {
      validator: ({ items }) => {
        if (closing) throw ApplicationFailure.create({ type: b.BatchFailureType.BatchClosing, message: `Batch ${batchId} has finished its items`, nonRetryable: true });
        if (!Array.isArray(items) || items.length === 0) throw ApplicationFailure.create({ type: b.BatchFailureType.InvalidItem, message: 'No items', nonRetryable: true, details: [{ issues: [{ field: 'items', message: 'Give at least one item' }] }] });
        checkNewItems(handler, items, book.records);
      },
    },
  );
  setHandler(
    b.postponeItemUpdate,
    ({ ref, until }) => {
      const record = book.records.get(ref)!;
      book.postpone(record, until);
      changed();
      return view(record);
    },
    {
      validator: ({ ref, until }) => {
        const record = book.records.get(ref);
        if (!record) throw ApplicationFailure.create({ type: b.BatchFailureType.ItemNotFound, message: `No item ${ref} in batch ${batchId}`, nonRetryable: true });
        if (record.status !== 'pending') {
          throw ApplicationFailure.create({ type: b.BatchFailureType.ItemNotPostponable, message: `Item ${ref} is ${record.status}: only pending items can be postponed`, nonRetryable: true });
        }
        if (Number.isNaN(Date.parse(until))) throw ApplicationFailure.create({ type: b.BatchFailureType.InvalidItem, message: 'until is not a date-time', nonRetryable: true, details: [{ issues: [{ field: 'until', message: 'Not a date-time' }] }] });
      },
    },
  );
  setHandler(b.itemSettledSignal, (settlement: ItemSettlement) => {
    const record = book.records.get(settlement.ref);
    // A settlement from an item run the batch no longer waits on (e.g. a repeated signal) changes nothing.
    if (!record || record.status !== 'attended' || record.itemRunId !== settlement.itemRunId) return;
    record.attempts = settlement.attempts;
    if (settlement.resolution) record.resolution = settlement.resolution;
    if (settlement.status === 'pending') {
      record.data = settlement.data ?? record.data;
      book.requeue(record);
      if (settlement.notBefore) book.postpone(record, settlement.notBefore);
    } else {
      delete record.data;
      book.setStatus(record, settlement.status);
    }
    changed();
  });

  // Loaded after the handlers are set, so the batch answers queries while it asks Temporal about
  // an earlier run (and a batch refused at its start still tells what it is). Every item is in the
  // book before that wait, so an enqueue meanwhile is checked against all of them.
  if (carried) for (const packed of carried.records) book.add(unpackRecord(packed));
  else {
    checkNewItems(handler, input.items, book.records);
    for (const item of input.items) book.add({ ref: item.ref, status: 'pending', attempts: 0, data: item.data, ...(item.notBefore ? { notBefore: item.notBefore } : {}) });
    const earlier = input.skipDoneEarlier === false ? undefined : await history.itemsDoneEarlier({ batchId, currentRunId: info.runId });
    for (const ref of earlier?.refs ?? []) {
      const record = book.records.get(ref);
      if (record?.status !== 'pending') continue;
      skippedFromEarlierRun += 1;
      delete record.data;
      record.resolution = { by: `earlier run ${earlier!.runId}` };
      book.setStatus(record, 'done');
    }
  }

  /** Hands an item to a run of its own, where a human can look at it. */
  async function attend(record: ItemRecord, failure: BotFailure | undefined): Promise<void> {
    // Batches started before item run ids carried their batch instance keep the ids they had.
    // The run id's tail: its random part (servers make UUIDv7 run ids, whose head is a timestamp).
    const instance = patched('item-run-per-batch-instance') ? info.firstExecutionRunId.replace(/-/g, '').slice(-10) : undefined;
    const itemRunId = b.itemRunIdFor(batchId, record.ref, record.attempts, instance);
    record.itemRunId = itemRunId;
    if (failure) record.lastFailure = failureView(failure);
    book.setStatus(record, 'attended');
    const itemInput: BatchItemInput = {
      batchId,
      batchKey: input.batchKey,
      client: input.client,
      handler: input.handler,
      item: { ref: record.ref, data: record.data },
      attempts: record.attempts,
      ...(failure ? { failure } : {}),
    };
    try {
      // Abandoned, not terminated, when this run continues as new: the item run reports to whichever run is current.
      await startChild(batchItem, { workflowId: itemRunId, args: [itemInput], parentClosePolicy: ParentClosePolicy.ABANDON });
    } catch (err) {
      // Already running (e.g. this batch was restarted while a human had the item): it will report back here.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async function work(record: ItemRecord): Promise<void> {
    book.setStatus(record, 'running');
    record.attempts += 1;
    try {
      await handler.run(itemContext(handler, { batchId, batchKey: input.batchKey, client: input.client }, { ref: record.ref, data: record.data }, record.attempts));
      delete record.data;
      book.setStatus(record, 'done');
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (err instanceof ItemSkipped) {
        delete record.data;
        record.resolution = { by: err.by, note: err.reason };
        book.setStatus(record, 'skipped');
      } else if (err instanceof ItemFailed) await attend(record, err.failure);
      else if (err instanceof AttendedStepNeeded) await attend(record, undefined);
      // A bug in the item's own workflow code must not end the batch: a human sees it like any failure.
      else await attend(record, { kind: 'system', code: 'ItemWorkFailed', message: (err as Error).message, details: {} });
    } finally {
      changed();
    }
  }

  const running = new Set<Promise<void>>();
  let started = 0;
  const generationFull = (): boolean =>
    started >= itemsPerGeneration || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY_EVENTS;

  for (;;) {
    while (running.size < concurrency && !generationFull()) {
      const record = book.next(Date.now());
      if (!record) break;
      started += 1;
      const job = work(record).finally(() => running.delete(job));
      running.add(job);
    }
    if (running.size === 0 && book.allFinal()) break;
    if (running.size === 0 && generationFull()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof itemBatch>({
        ...input,
        items: [],
        carried: { startedAt, generation: generation + 1, skippedFromEarlierRun, records: [...book.records.values()].map(packRecord) },
      });
    }
    const seen = changes;
    const due = book.nextDueMs();
    const wake = condition(() => changes !== seen, due === undefined ? undefined : Math.max(1, due - Date.now()));
    await wake;
  }

  closing = true;
  const summary: BatchSummary = {
    batchId,
    batchKey: input.batchKey,
    total: book.records.size,
    counts: { ...book.counts },
    skippedFromEarlierRun,
    generations: generation,
    startedAt,
    finishedAt: nowIso(),
  };
  upsertSearchAttributes([{ key: SA.status, value: 'completed' }]);
  if (summary.counts.skipped + summary.counts['completed-manually'] > 0) {
    await notices
      .emitEvent({
        id: `${batchId}:batch.finished-with-exceptions:${startedAt}`,
        type: 'batch.finished-with-exceptions',
        client: input.client,
        process: input.process,
        runId: batchId,
        at: summary.finishedAt,
        data: { batchKey: input.batchKey, counts: summary.counts, total: summary.total },
      })
      .catch(() => undefined);
  }
  await condition(allHandlersFinished);
  return summary;
}

