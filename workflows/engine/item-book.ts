// The work-list of one batch run: each item's record (status, attempts, postponement, last
// failure), the queue of runnable items in batch order, and the checks new items must pass. Plain
// deterministic state, carried across continue-as-new.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ItemHandler } from './item-batch';
import * as b from './batch-messages';
import type { BatchItem, ItemStatus, ItemView } from './batch-messages';

export interface ItemRecord extends ItemView {
  data?: unknown;
}

/** `[ref, status, attempts, the rest]`: a done item carried across continue-as-new costs ~20 bytes, not ~60. */
export type PackedRecord = [string, ItemStatus, number] | [string, ItemStatus, number, Omit<ItemRecord, 'ref' | 'status' | 'attempts'>];

export function packRecord(record: ItemRecord): PackedRecord {
  const { ref, status, attempts, ...rest } = record;
  return Object.keys(rest).length === 0 ? [ref, status, attempts] : [ref, status, attempts, rest];
}

export function unpackRecord([ref, status, attempts, rest]: PackedRecord): ItemRecord {
  return { ref, status, attempts, ...rest };
}

/** Checks items against the handler and the batch; returns them, or throws the failure the API shows. */
export function checkNewItems(handler: ItemHandler, items: BatchItem[], known: Map<string, ItemRecord>): void {
  const issues: { field: string; message: string }[] = [];
  const duplicates: { index: number; ref: string; status: ItemStatus | 'repeated-in-request' }[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (typeof item?.ref !== 'string' || !b.ITEM_REF_PATTERN.test(item.ref)) {
      issues.push({ field: `items.${index}.ref`, message: 'An item reference is 1–128 letters, digits, . _ : or -, starting with a letter or digit' });
      return;
    }
    const existing = known.get(item.ref);
    if (existing) duplicates.push({ index, ref: item.ref, status: existing.status });
    else if (seen.has(item.ref)) duplicates.push({ index, ref: item.ref, status: 'repeated-in-request' });
    seen.add(item.ref);
    if (item.notBefore !== undefined && Number.isNaN(Date.parse(item.notBefore))) {
      issues.push({ field: `items.${index}.notBefore`, message: 'Not a date-time' });
    }
    const parsed = handler.data.safeParse(item.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ field: [`items.${index}.data`, ...issue.path.map(String)].join('.'), message: issue.message });
    }
  });
  if (duplicates.length > 0) {
    const list = duplicates.map((d) => `${d.ref} (${d.status})`).join(', ');
    throw ApplicationFailure.create({
      type: b.BatchFailureType.DuplicateItem,
      message: `Already in this batch: ${list}`,
      nonRetryable: true,
      details: [{ duplicates }],
    });
  }
  if (issues.length > 0) {
    throw ApplicationFailure.create({ type: b.BatchFailureType.InvalidItem, message: `Invalid items: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, nonRetryable: true, details: [{ issues }] });
  }
}

/** The work-list of one batch run: records in batch order, the runnable queue, postponed items. */
export class ItemBook {
  readonly records = new Map<string, ItemRecord>();
  readonly counts: Record<ItemStatus, number> = { pending: 0, running: 0, attended: 0, done: 0, skipped: 0, 'completed-manually': 0 };
  #queue: string[] = [];
  #head = 0;
  #postponed = new Set<string>();

  add(record: ItemRecord): void {
    this.records.set(record.ref, record);
    this.counts[record.status] += 1;
    if (record.status === 'pending') this.#enqueue(record);
  }

  setStatus(record: ItemRecord, status: ItemStatus): void {
    this.counts[record.status] -= 1;
    record.status = status;
    this.counts[status] += 1;
  }

  /** Back to the queue (postponed until notBefore, if set). */
  requeue(record: ItemRecord): void {
    this.setStatus(record, 'pending');
    this.#enqueue(record);
  }

  /** The next item to work on now, in batch order; postponed items join the queue when due. */
  next(nowMs: number): ItemRecord | undefined {
    for (const ref of [...this.#postponed]) {
      const record = this.records.get(ref)!;
      if (record.status !== 'pending') this.#postponed.delete(ref);
      else if (!record.notBefore || Date.parse(record.notBefore) <= nowMs) {
        this.#postponed.delete(ref);
        delete record.notBefore;
        this.#queue.push(ref);
      }
    }
    while (this.#head < this.#queue.length) {
      const record = this.records.get(this.#queue[this.#head++]!)!;
      // Postponed after it was queued: it waits in the postponed set instead.
      if (record.status === 'pending' && !(record.notBefore && Date.parse(record.notBefore) > nowMs)) return record;
    }
    if (this.#head > 1024) this.#compact();
    return undefined;
  }

  postpone(record: ItemRecord, until: string): void {
    record.notBefore = until;
    this.#postponed.add(record.ref);
  }

  /** When the earliest postponed item is due (ms since epoch). */
  nextDueMs(): number | undefined {
    let earliest: number | undefined;
    for (const ref of this.#postponed) {
      const at = Date.parse(this.records.get(ref)?.notBefore ?? '');
      if (!Number.isNaN(at) && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  allFinal(): boolean {
    return this.counts.done + this.counts.skipped + this.counts['completed-manually'] === this.records.size;
  }

  #enqueue(record: ItemRecord): void {
    if (record.notBefore) this.#postponed.add(record.ref);
    else this.#queue.push(record.ref);
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head);
    this.#head = 0;
  }
}

/** The record without its data: views go to the API, data may be large or personal. */
export const view = (record: ItemRecord): ItemView => {
  const rest: ItemRecord = { ...record };
  delete rest.data;
  return rest;
};
