// The replay gate's recording of ClaimReview (npm run replay:record; see docs/AUTHORING.md): where its
// runs wait in production, recorded from the real stack. Runs on Node, never in the workflow bundle.
import { activityScheduled } from '../../scripts/replay/recorder';
import { CLIENT, freshClaim, type Scenario } from '../../scripts/replay/scenario-kit';

const claimReview: Scenario = async (r) => {
  const runId = await r.start('claim-review', { client: CLIENT, claimRef: freshClaim() });
  await r.untilEvent(runId, 'extractClaim scheduled', activityScheduled('extractClaim'));
  await r.record('claim-review', 'started', runId, { busy: true });
  return async () => {
    const task = await r.openTask(runId, 'ana.lima', 'claim-review.review');
    await r.record('claim-review', 'waiting-at-review', runId);
    await r.complete(task.taskId, 'approve', { reason: 'Matches the invoice' }, 'ana.lima');
    await r.finished(runId, 'ana.lima');
    await r.record('claim-review', 'finished', runId);
  };
};

export default claimReview;
