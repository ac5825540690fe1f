// The replay gate's recording of ManualTask (npm run replay:record; see docs/AUTHORING.md): where its
// runs wait in production, recorded from the real stack. Runs on Node, never in the workflow bundle.
import { CLIENT, type Scenario } from '../../scripts/replay/scenario-kit';

const manualTask: Scenario = async (r) => {
  const runId = await r.start('manual-task', { client: CLIENT, reference: `REPLAY-${Date.now()}`, title: 'Sign off the month-end close', team: 'claims-review' });
  const task = await r.openTask(runId, 'ana.lima');
  await r.record('manual-task', 'waiting-at-decision', runId);
  const claimed = await r.act(task.taskId, 'claim', {}, 'ana.lima');
  await r.record('manual-task', 'claimed', runId);
  await r.act(task.taskId, 'complete', { action: 'approve', data: { note: 'Checked' }, leaseId: claimed.claim.leaseId }, 'ana.lima');
  await r.finished(runId, 'ana.lima');
  await r.record('manual-task', 'finished', runId);
  return async () => undefined;
};

export default manualTask;
