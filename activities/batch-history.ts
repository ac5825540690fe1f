// What an earlier run of a batch finished, read from Temporal itself (the source of truth): the
// newest closed run with the same batch id is queried for the items it had done, so a re-run
// skips them. A run that was terminated mid-way answers too: the query replays its history.
import { Context } from '@temporalio/activity';
import { batchDoneRefsQuery } from '../workflows/engine/batch-messages';
import type { BatchHistoryActivities } from '../workflows/engine/item-batch-workflow';

// The worker's own client (its connection and payload codec) asks Temporal.
export function createBatchHistoryActivities(): BatchHistoryActivities {
  return {
    async itemsDoneEarlier({ batchId, currentRunId }) {
      const client = Context.current().client;
      let newest: { runId: string; startMs: number } | undefined;
      const escaped = batchId.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${escaped}' AND ExecutionStatus != 'Running'` })) {
        const startMs = execution.startTime.getTime();
        if (execution.runId !== currentRunId && (!newest || startMs > newest.startMs)) newest = { runId: execution.runId, startMs };
      }
      if (!newest) return { refs: [] };
      const refs = await client.workflow.getHandle(batchId, newest.runId).query(batchDoneRefsQuery);
      return { runId: newest.runId, refs };
    },
  };
}
