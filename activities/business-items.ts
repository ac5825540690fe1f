// Where a business item stands, for the schedules' launcher (workflow code cannot describe other
// runs): its attempts (`…`, `…:r2`, …) walked as api/process-runs.ts walks them, read from Temporal
// with the worker's own client. An open attempt answers at once; failed, cancelled or terminated
// ones may go again; the last completed one is named, for the launcher to refuse or reprocess.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { referenceRunId } from '../workflows/engine/run-identity';
import type { BusinessItemActivities } from '../workflows/engine/scheduled-start';

/** As many attempts as an API start walks before it refuses. */
const MAX_ATTEMPTS = 100;

export function createBusinessItemActivities(): BusinessItemActivities {
  return {
    async businessItemState({ process, client, ref }) {
      const temporal = Context.current().client;
      let completed: string | undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const runId = referenceRunId(process, client, ref, attempt);
        const status = await temporal.workflow
          .getHandle(runId)
          .describe()
          .then((d) => d.status.name, (err: unknown) => (err instanceof WorkflowNotFoundError ? undefined : Promise.reject(err)));
        if (status === undefined) return { nextAttempt: attempt, ...(completed ? { completed } : {}) };
        if (status === 'RUNNING') return { open: runId };
        if (status === 'COMPLETED') completed = runId;
      }
      return { exhausted: referenceRunId(process, client, ref, MAX_ATTEMPTS) };
    },
  };
}
