// The item's own run (`batchItem`): an item of a batch that failed for good, or whose work asked for
// a human, is resolved here by a person (retry, fix and retry, skip, complete by hand, postpone),
// then worked again; the run reports the item's settlement back to its batch with a signal.
import { CancellationScope, getExternalWorkflowHandle, isCancellation, workflowInfo } from '@temporalio/workflow';
import { ProcessRun } from './process-run';
import { ItemFailed, ItemSkipped, type ItemExceptionForm } from './item-batch';
import * as b from './batch-messages';
import type { BatchItemInput, ItemSettlement } from './batch-messages';
import { itemContext, requireHandler } from './item-context';

/** One item that needs a human: its exception task (or its attended step), then its work again. */
export async function batchItem(input: BatchItemInput): Promise<ItemSettlement> {
  const handler = requireHandler(input.handler);
  const itemRunId = workflowInfo().workflowId;
  const run = new ProcessRun({ process: handler.process, client: input.client, businessRef: input.item.ref });
  const batch = { batchId: input.batchId, batchKey: input.batchKey, client: input.client };
  const form = handler.exceptionForm as ItemExceptionForm;
  let item = input.item;
  let failure = input.failure;
  let attempts = input.attempts;

  const work = async (): Promise<ItemSettlement> => {
    for (;;) {
      if (failure) {
        run.step('resolve-exception');
        const { decision, decidedBy } = await run.humanTask(form, {
          title: `${failure.kind === 'business' ? failure.code : 'Bot failed'}: ${handler.title(item)}`,
          team: handler.exceptionTeam,
          priority: 2,
          context: { batchId: input.batchId, batchKey: input.batchKey, item: { ref: item.ref, data: item.data }, attempts, failure },
        });
        const by = decidedBy.operatorId;
        switch (decision.action) {
          case 'skip':
            return { ref: item.ref, status: 'skipped', attempts, itemRunId, resolution: { by, note: decision.data.reason } };
          case 'complete-manually':
            return { ref: item.ref, status: 'completed-manually', attempts, itemRunId, resolution: { by, note: decision.data.confirmation } };
          case 'postpone':
            return { ref: item.ref, status: 'pending', attempts, itemRunId, data: item.data, notBefore: decision.data.until, resolution: { by, note: decision.data.note } };
          case 'fix-and-retry':
            item = { ...item, data: handler.applyFix ? handler.applyFix(item.data as never, decision.data.item) : decision.data.item };
            break;
          case 'retry':
            break;
        }
      }
      attempts += 1;
      run.step(`work-attempt-${attempts}`);
      try {
        await handler.run(itemContext(handler, batch, item, attempts, run));
        return { ref: item.ref, status: 'done', attempts, itemRunId };
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (err instanceof ItemSkipped) return { ref: item.ref, status: 'skipped', attempts, itemRunId, resolution: { by: err.by, note: err.reason } };
        failure = err instanceof ItemFailed ? err.failure : { kind: 'system', code: 'ItemWorkFailed', message: (err as Error).message, details: {} };
      }
    }
  };
  const report = (settlement: ItemSettlement) =>
    // The batch may be gone (terminated by an operator); the item's own outcome stands regardless.
    CancellationScope.nonCancellable(() => getExternalWorkflowHandle(input.batchId).signal(b.itemSettledSignal, settlement)).catch(() => undefined);
  try {
    const settlement = await run.execute(work);
    await report(settlement);
    return settlement;
  } catch (err) {
    // Cancelling an item's run takes the item out of the batch rather than leaving the batch waiting for ever.
    if (isCancellation(err)) await report({ ref: item.ref, status: 'skipped', attempts, itemRunId, resolution: { by: 'cancelled', note: 'The item run was cancelled' } });
    throw err;
  }
}
