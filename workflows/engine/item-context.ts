// What an item's work runs with: its ItemContext, the same in the batch (unattended: a failure or a
// human step hands the item to a run of its own) and in that run (attended, on a ProcessRun).
import { ApplicationFailure } from '@temporalio/workflow';
import { toBotFailure } from './bot-step';
import { AttendedStepNeeded, findItemHandler, ItemFailed, type ItemContext, type ItemHandler } from './item-batch';
import type { BatchItem } from './batch-messages';
import type { ProcessRun } from './process-run';

export function requireHandler(name: string): ItemHandler {
  const handler = findItemHandler(name);
  if (!handler) throw ApplicationFailure.nonRetryable(`No item handler ${name} in this worker's workflows`, 'UnknownItemHandler');
  return handler;
}

/** Idempotency reference of an item's step: the same in every attempt and every re-run of the batch. */
function itemReference(batchKey: string, ref: string, step: string): string {
  return `${batchKey}:${ref}:${step}`;
}

export function itemContext<D>(
  handler: ItemHandler<D>,
  batch: ItemContext<D>['batch'],
  item: BatchItem<D>,
  attempt: number,
  run?: ProcessRun,
): ItemContext<D> {
  return {
    item,
    batch,
    attempt,
    attended: run !== undefined,
    reference: (step) => itemReference(batch.batchKey, item.ref, step),
    async bot(name, fn, input) {
      if (run) {
        const outcome = await run.bot(name, fn, input);
        if (!outcome.ok) throw new ItemFailed(outcome.failure);
        return outcome.value;
      }
      try {
        return await fn(input);
      } catch (err) {
        throw new ItemFailed(toBotFailure(err));
      }
    },
    async humanTask(form, spec) {
      if (!run) throw new AttendedStepNeeded();
      return run.humanTask(form, spec);
    },
  };
}
