// Where a business item stands, for the schedules' launcher (workflow code cannot describe other
// runs): its attempts walked as an API start walks them (platform/business-item-runs.ts), with the
// worker's own client. An open attempt answers at once; failed, cancelled or terminated ones may go
// again; the last completed one is named, for the launcher to refuse or reprocess.
import { Context } from '@temporalio/activity';
import { itemAttempts, MAX_ATTEMPTS } from '../platform/business-item-runs';
import { referenceRunId } from '../workflows/engine/run-identity';
import type { BusinessItemActivities } from '../workflows/engine/scheduled-start';

export function createBusinessItemActivities(): BusinessItemActivities {
  return {
    async businessItemState(item) {
      let completed: string | undefined;
      for await (const { attempt, runId, run } of itemAttempts(Context.current().client, item)) {
        if (!run) return { nextAttempt: attempt, ...(completed ? { completed } : {}) };
        if (run.status.name === 'RUNNING') return { open: runId };
        if (run.status.name === 'COMPLETED') completed = runId;
      }
      return { exhausted: referenceRunId(item.process, item.client, item.ref, MAX_ATTEMPTS) };
    },
  };
}
