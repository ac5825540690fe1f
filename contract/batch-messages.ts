// The messages an item batch answers, and their payload types. The batch workflow sets the
// handlers; the API calls them; item runs report back with `itemSettledSignal`.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BotFailure } from './failures';

/** Where an item stands. `attended` = a human is on it in the item's own run (exception or attended step). */
export type ItemStatus = 'pending' | 'running' | 'attended' | 'done' | 'skipped' | 'completed-manually';
export const ITEM_STATUSES: readonly ItemStatus[] = ['pending', 'running', 'attended', 'done', 'skipped', 'completed-manually'];
export const FINAL_ITEM_STATUSES: readonly ItemStatus[] = ['done', 'skipped', 'completed-manually'];

/** Business reference of an item: unique within its batch, safe in workflow ids. */
export const ITEM_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface BatchItem<D = unknown> {
  /** Unique business reference within the batch (an employee id, a document number). */
  ref: string;
  data: D;
  /** Not before this time (ISO): the item is postponed until then. */
  notBefore?: string;
}

export interface ItemFailureView {
  kind: BotFailure['kind'];
  code: string;
  message: string;
  evidence?: BotFailure['evidence'];
}

export interface ItemView {
  ref: string;
  status: ItemStatus;
  /** How many times the item's work was started (first try, retries after crashes excluded: those are the bot step's). */
  attempts: number;
  notBefore?: string;
  /** The item's own run, once a human had to look at it. */
  itemRunId?: string;
  lastFailure?: ItemFailureView;
  /** Who resolved it and how, for skipped / completed-manually items. */
  resolution?: { by: string; note?: string };
}

export type BatchPhase = 'running' | 'completed' | 'cancelled';

export interface BatchProgress {
  batchId: string;
  batchKey: string;
  client: string;
  process: string;
  handler: string;
  phase: BatchPhase;
  startedAt: string;
  /** Items known to the batch, by status. */
  counts: Record<ItemStatus, number>;
  total: number;
  concurrency: number;
  /** This run's position in the continue-as-new chain (1 = first run). */
  generation: number;
  /** Items that were already done in an earlier run of the same batch and were not processed again. */
  skippedFromEarlierRun: number;
  /** Items a human has to look at, oldest first (at most 100). */
  attended: ItemView[];
}

export interface ItemsPageRequest {
  status?: ItemStatus;
  /** Items after this reference in batch order (the previous page's `next`). */
  after?: string;
  limit?: number;
}

export interface ItemsPage {
  items: ItemView[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export interface EnqueueItemsRequest {
  items: BatchItem[];
  /** Who asked (an operator or an API key), recorded in history. */
  by: string;
}

export interface EnqueueItemsResult {
  accepted: number;
  total: number;
}

export interface PostponeItemRequest {
  ref: string;
  until: string;
  by: string;
}

/** What an item's run reports back to its batch when it is over (or postponed by a human). */
export interface ItemSettlement {
  ref: string;
  status: 'done' | 'skipped' | 'completed-manually' | 'pending';
  attempts: number;
  itemRunId: string;
  /** For `pending`: the postponed item, possibly corrected, and when to try again. */
  data?: unknown;
  notBefore?: string;
  resolution?: { by: string; note?: string };
}

/** What starting an item batch takes (ProcessRun.itemBatch, or a client): the batch workflow's input. */
export interface ItemBatchStart {
  batchKey: string;
  client: string;
  process: string;
  /** Name of the ItemHandler (registered in this bundle) that works the items. */
  handler: string;
  items: BatchItem[];
  /** Items worked at once. Default 4. */
  concurrency?: number;
  /** Items started per run before continuing as new. Default 500. */
  itemsPerGeneration?: number;
  /** Skip items an earlier run of the same batch id finished. Default true. */
  skipDoneEarlier?: boolean;
}

/** What a finished batch returns to the run that started it. */
export interface BatchSummary {
  batchId: string;
  batchKey: string;
  total: number;
  counts: Record<ItemStatus, number>;
  skippedFromEarlierRun: number;
  generations: number;
  startedAt: string;
  finishedAt: string;
}

/** The input of an item's own run (the engine's batchItem workflow), where a human resolves it. */
export interface BatchItemInput {
  batchId: string;
  batchKey: string;
  client: string;
  handler: string;
  item: BatchItem;
  /** Attempts made so far (this run's first try is attempt + 1). */
  attempts: number;
  /** Why the item came here; absent when its work asked for a human step. */
  failure?: BotFailure;
}

/** Failure types the batch's Update validators raise; the API maps them to 409 / 422. */
export const BatchFailureType = {
  DuplicateItem: 'DuplicateItem',
  InvalidItem: 'InvalidItem',
  ItemNotPostponable: 'ItemNotPostponable',
  ItemNotFound: 'ItemNotFound',
  BatchClosing: 'BatchClosing',
} as const;

export const batchProgressQuery = defineQuery<BatchProgress>('tandem.batch');
export const batchItemsQuery = defineQuery<ItemsPage, [ItemsPageRequest]>('tandem.batchItems');
export const enqueueItemsUpdate = defineUpdate<EnqueueItemsResult, [EnqueueItemsRequest]>('tandem.enqueueItems');
export const postponeItemUpdate = defineUpdate<ItemView, [PostponeItemRequest]>('tandem.postponeItem');
/** References of the items this batch run finished (done, or done by hand): what a re-run skips. */
export const batchDoneRefsQuery = defineQuery<string[]>('tandem.batchDoneRefs');
export const itemSettledSignal = defineSignal<[ItemSettlement]>('tandem.itemSettled');

/** Workflow id of a batch: stable for the same client, process and batch key, so a re-run finds the earlier one. */
export function batchIdFor(process: string, client: string, batchKey: string): string {
  return `${process}.batch.${client}.${batchKey}`;
}

/**
 * Workflow id of an item's own run; the attempt count keeps a second visit apart from the first,
 * and `instance` (from the batch's first run id, the same across its continue-as-new generations)
 * keeps a re-run of the batch apart from the earlier one: task ids derive from it, and the inbox
 * must never take a new task for an old one.
 */
export function itemRunIdFor(batchId: string, ref: string, attempt: number, instance?: string): string {
  return `${batchId}.item.${ref}.a${attempt}${instance ? `.${instance}` : ''}`;
}
