// The replay gate's recording of DataEntry (npm run replay:record; see docs/AUTHORING.md): where its
// runs wait in production, recorded from the real stack. Runs on Node, never in the workflow bundle.
import { activityScheduled, childStarted } from '../../scripts/replay/recorder';
import { batchSettled, CLIENT, recordMidBatch, type Json, type Scenario } from '../../scripts/replay/scenario-kit';
import { AccountNumbers, customer, documentOf } from '../../test/e2e/fixtures/crm-documents';

const dataEntry: Scenario = async (r) => {
  const accounts = new AccountNumbers();
  const unsure = customer(3, accounts.take());
  const documents = [
    documentOf('D-01', customer(1, accounts.take())),
    documentOf('D-02', customer(2, accounts.take())),
    // Recognised as a valid but wrong address, and not sure of it: an operator checks it.
    documentOf('D-03', { ...unsure, email: unsure.email.replace('@example.org', '@exarnple.org') }, { email: 0.61 }),
    documentOf('D-04', customer(4, accounts.take())),
    documentOf('D-05', customer(5, accounts.take())),
  ];
  const runId = await r.start('data-entry', { client: CLIENT, batchKey: `replay-${Date.now()}`, documents, concurrency: 1 });
  const batchId = (await r.untilEvent(runId, 'the batch started', childStarted)).childWorkflowExecutionStartedEventAttributes!.workflowExecution!.workflowId!;
  await r.untilEvent(batchId, 'the first document scheduled', activityScheduled('enterCrmRecord'));
  await r.record('data-entry', 'batch-started', batchId, { busy: true });
  return async () => {
    await recordMidBatch(r, 'data-entry', runId, batchId, 'dana.kim', 2);
    const settled = await batchSettled(r, batchId, 'dana.kim');
    const item = (settled.attended as Json[])[0];
    const task = await r.openTask(item.itemRunId, 'dana.kim', 'data-entry.correct-record');
    await r.record('data-entry', 'document-waiting-at-check', item.itemRunId);
    await r.complete(task.taskId, 'correct', { record: unsure }, 'dana.kim');
    await r.finished(runId, 'dana.kim');
    await r.record('data-entry', 'batch-finished', batchId);
    await r.record('data-entry', 'finished', runId);
  };
};

export default dataEntry;
