// Item batches (queue items): what a process defines to have a list of items worked through. A
// process declares one ItemHandler per kind of item: the item's data schema, the exception form a
// human resolves failures with, and `run`, the work for one item. The engine's batch workflow
// (item-batch-workflow.ts) runs handlers many at a time; an item that fails, or whose work needs a
// human, moves to a run of its own so the rest of the batch goes on.
import { z } from 'zod';
import { defineTaskForm, type TaskForm } from './task-form';
import type { BotFailure } from './bot-step';
import type { HumanStepResult, HumanTaskSpec } from './human-step';
import type { BatchItem } from './batch-messages';

/** What the work for one item can do: bot steps, human steps, idempotency references. */
export interface ItemContext<D> {
  readonly item: BatchItem<D>;
  readonly batch: { batchId: string; batchKey: string; client: string };
  /** How many times this item's work has been started, this one included. */
  readonly attempt: number;
  /** True in the item's own run, where human steps are possible. */
  readonly attended: boolean;
  /** Idempotency reference for a side effect of this item: the same in every attempt and every re-run of the batch. */
  reference(step: string): string;
  /** Runs a bot step; a business exception or an exhausted system fault throws ItemFailed. */
  bot<I, O>(name: string, fn: (input: I) => Promise<O>, input: I): Promise<O>;
  /** A human step. In the batch itself this moves the item to its own run, which runs the work again from the start. */
  humanTask<F extends TaskForm>(form: F, spec: HumanTaskSpec): Promise<HumanStepResult<F>>;
}

export interface ItemHandler<D = unknown> {
  /** Registry key, `<process>.<item>`, e.g. `payroll-run.timesheet-line`. */
  name: string;
  process: string;
  /** Validates enqueued items and is the form of a fix-and-retry decision. */
  data: z.ZodType<D>;
  /** The human task a failed item becomes: retry / fix-and-retry / skip / complete-manually / postpone. */
  exceptionForm: TaskForm;
  /** How a fix-and-retry correction (the form's `item` field) becomes the item's data; default: it is the data. */
  applyFix?(data: D, fix: unknown): D;
  /** Team that resolves this handler's failed items. */
  exceptionTeam: string;
  title(item: BatchItem<D>): string;
  /** The work for one item. Must be safe to run again from the start: every write goes through a reference. */
  run(ctx: ItemContext<D>): Promise<void>;
}

/** A bot step of an item failed for good (business exception, or a system fault after its last attempt). */
export class ItemFailed extends Error {
  constructor(readonly failure: BotFailure) {
    super(failure.message);
    this.name = 'ItemFailed';
  }
}

/** The work decided the item should not be done (e.g. a person rejected the document): it ends as skipped. */
export class ItemSkipped extends Error {
  constructor(
    readonly reason: string,
    readonly by: string,
  ) {
    super(reason);
    this.name = 'ItemSkipped';
  }
}

/** Thrown by ctx.humanTask inside the batch: the item continues in its own run. */
export class AttendedStepNeeded extends Error {
  constructor() {
    super('This item needs a human step');
    this.name = 'AttendedStepNeeded';
  }
}

const handlers = new Map<string, ItemHandler<never>>();

/** Declares (and registers, for the batch workflows in this bundle) how one kind of item is worked. */
export function defineItemHandler<D>(handler: ItemHandler<D>): ItemHandler<D> {
  if (handlers.has(handler.name)) throw new Error(`Item handler ${handler.name} is defined twice`);
  handlers.set(handler.name, handler as unknown as ItemHandler<never>);
  return handler;
}

export function findItemHandler(name: string): ItemHandler | undefined {
  return handlers.get(name) as ItemHandler | undefined;
}

const Note = z.string().trim().max(500).optional();
const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500);

/**
 * The exception form of a kind of item; fix-and-retry carries the corrected item data, and its
 * form starts from the item's current data (`current` makes the fix's shape of it when the two
 * differ; default: the data is the fix, as with the default applyFix).
 */
export function itemExceptionForm<D extends z.ZodType>(kind: string, title: string, fix: D, current: (data: never) => unknown = (data) => data) {
  return defineTaskForm({
    kind,
    title,
    prefill: (context): Record<string, Record<string, unknown>> => {
      const data = (context.item as { data?: unknown } | undefined)?.data;
      const start = data && typeof data === 'object' ? current(data as never) : undefined;
      return start && typeof start === 'object' ? { 'fix-and-retry': { item: start as Record<string, unknown> } } : {};
    },
    decision: z.discriminatedUnion('action', [
      z.object({ action: z.literal('retry'), data: z.object({ note: Note }).strict() }),
      z.object({ action: z.literal('fix-and-retry'), data: z.object({ item: fix, note: Note }).strict() }),
      z.object({ action: z.literal('skip'), data: z.object({ reason: Reason }).strict() }),
      z.object({
        action: z.literal('complete-manually'),
        data: z.object({ confirmation: z.string().trim().min(1).max(64).describe('What the client app answered when you did it by hand'), note: Note }).strict(),
      }),
      z.object({
        action: z.literal('postpone'),
        data: z.object({ until: z.iso.datetime({ offset: true }).describe('Try the item again at this time'), note: Note }).strict(),
      }),
    ]),
  });
}

export type ItemExceptionForm = ReturnType<typeof itemExceptionForm>;
