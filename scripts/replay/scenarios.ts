// One scenario per process: a real run driven through the API, its history recorded at the points
// where runs wait in production (started, at a human task, mid-batch, finished). A scenario runs
// with the orchestration worker alone, so a run's first bot step is still waiting for a bot; what
// it returns runs once the bot worker is up (all of them at once, so batches are caught mid-way).
import { randomInt } from 'node:crypto';
import { AccountNumbers, customer, documentOf } from '../../test/e2e/fixtures/crm-documents';
import type { TimesheetLine } from '../../workflows/payroll-run/timesheet';
import { activityScheduled, childStarted, type Recorder } from './recorder';

export type Scenario = (r: Recorder) => Promise<() => Promise<void>>;

const CLIENT = 'acme-health';
type Json = any;

/** A claim nobody has worked, like CLM-1002 (2,450.00: above auto-approval, so it waits for review). */
const freshClaim = (): string => `CLM-1002${String(randomInt(1e6)).padStart(6, '0')}`;

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

/** A line an operator corrects: hours within the portal's limits, a cost center it knows. */
const fixedLine = (line: TimesheetLine): TimesheetLine => ({
  ...line,
  regularHours: Math.min(Math.max(line.regularHours, 0), 160),
  overtimeHours: Math.min(Math.max(line.overtimeHours, 0), 12),
  costCenter: 'OPS-100',
});

/** Waits until no item is pending or running and returns the batch's progress. */
const batchSettled = (r: Recorder, batchId: string, as: string): Promise<Json> =>
  r.until(async () => {
    const p = await r.get(`/batches/${batchId}`, as);
    return p.counts.pending + p.counts.running === 0 && p;
  }, `${batchId} to settle`);

const midBatch = (r: Recorder, batchId: string, as: string, done: number): Promise<Json> =>
  r.until(async () => {
    const p = await r.get(`/batches/${batchId}`, as);
    return p.counts.done >= done && p;
  }, `${done} items of ${batchId} done`);

/** Records the parent and its batch while items are still to go (asserted from the batch's progress). */
async function recordMidBatch(r: Recorder, process: string, runId: string, batchId: string, as: string, done: number): Promise<void> {
  await midBatch(r, batchId, as, done);
  await r.record(process, 'mid-batch', runId);
  await r.record(process, 'batch-mid-batch', batchId, { busy: true });
  // Progress only moves on: items still to go now were still to go when the history was fetched.
  const after = await r.get(`/batches/${batchId}`, as);
  if (after.counts.pending + after.counts.running === 0) throw new Error(`${batchId} had no items left to work once recorded mid-batch: record again`);
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

/** By process name: the recorder refuses to run while a process of the catalogue has none. */
export const SCENARIOS: Record<string, Scenario> = {
  'claim-review': claimReview,
  'manual-task': manualTask,
  'payroll-run': payrollRun,
  'data-entry': dataEntry,
};
