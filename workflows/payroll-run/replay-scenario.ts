// The replay gate's recording of PayrollRun (npm run replay:record; see docs/AUTHORING.md): where its
// runs wait in production, recorded from the real stack. Runs on Node, never in the workflow bundle.
import { activityScheduled, type Recorder } from '../../scripts/replay/recorder';
import { batchSettled, CLIENT, recordMidBatch, type Json, type Scenario } from '../../scripts/replay/scenario-kit';
import type { TimesheetLine } from './timesheet';

/** A line an operator corrects: hours within the portal's limits, a cost center it knows. */
const fixedLine = (line: TimesheetLine): TimesheetLine => ({
  ...line,
  regularHours: Math.min(Math.max(line.regularHours, 0), 160),
  overtimeHours: Math.min(Math.max(line.overtimeHours, 0), 12),
  costCenter: 'OPS-100',
});

/** A schedule's launcher (scheduledStart), fired by hand: it starts the period's run and ends; that run is not needed. */
async function recordScheduleLauncher(r: Recorder): Promise<void> {
  const scheduleId = `replay-payroll-${Date.now()}`;
  await r.post('/schedules', { scheduleId, process: 'payroll-run', input: { client: CLIENT }, spec: { cron: ['0 2 1 * *'], timezone: 'Europe/London' }, paused: true });
  await r.post(`/schedules/${scheduleId}/trigger`, {});
  const fired = await r.until(async () => {
    const [latest] = (await r.get(`/schedules/${scheduleId}`, 'lee.chen')).recentRuns as Json[];
    return latest?.status === 'running' && latest;
  }, 'the schedule to start its run');
  await r.record('payroll-run', 'schedule-launcher-finished', fired.launchId);
  await r.terminate(fired.runId, 'the replay recorder needed its launcher only');
}

const payrollRun: Scenario = async (r) => {
  const runId = await r.start('payroll-run', { client: CLIENT, period: '2030-01', concurrency: 1 });
  await r.untilEvent(runId, 'the period check scheduled', activityScheduled('readPayrollTotals'));
  await r.record('payroll-run', 'started', runId, { busy: true });
  await recordScheduleLauncher(r);
  return async () => {
    const batchId = await r.until(async () => (await r.get(`/runs/${runId}`, 'lee.chen')).batches?.[0]?.batchId as string | undefined, 'the payroll batch');
    await recordMidBatch(r, 'payroll-run', runId, batchId, 'lee.chen', 3);
    const settled = await batchSettled(r, batchId, 'lee.chen');
    let recordedLine = false;
    for (const item of settled.attended as Json[]) {
      const task = await r.openTask(item.itemRunId, 'priya.nair');
      if (item.lastFailure.code === 'InvalidTimesheetLine') {
        const record = !recordedLine;
        recordedLine = true;
        if (record) await r.record('payroll-run', 'line-waiting-at-exception', item.itemRunId);
        await r.complete(task.taskId, 'fix-and-retry', { item: fixedLine(task.context.item.data), note: 'Hours checked with the site manager' }, 'priya.nair');
        if (record) {
          await r.finished(item.itemRunId, 'priya.nair');
          await r.record('payroll-run', 'line-finished', item.itemRunId);
        }
      } else await r.complete(task.taskId, 'skip', { reason: 'Employee left; paid off-cycle' }, 'priya.nair');
    }
    const approval = await r.openTask(runId, 'lee.chen', 'payroll-run.approve-totals');
    await r.record('payroll-run', 'waiting-at-approval', runId);
    await r.record('payroll-run', 'batch-finished', batchId);
    await r.complete(approval.taskId, 'approve', { note: 'Matches the site reports' }, 'lee.chen');
    await r.finished(runId, 'lee.chen');
    await r.record('payroll-run', 'finished', runId);
  };
};

export default payrollRun;
