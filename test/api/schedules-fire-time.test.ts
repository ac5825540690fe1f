// Schedules whose runs take their input from the fire time, firing for real on the Temporal dev
// server with the real PayrollRun workflow (no bot worker: each run waits at its first bot step,
// which is all these tests need of it). A backfill over three months starts three runs, one per
// pay period, each under its business item's id; triggering twice in one month starts one run and
// records the second fire as refused, and after that run failed a fire starts the item's next
// attempt (the same guard as an API start); the view shows the input each next fire will get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceRunId } from '../../workflows/engine/run-identity';
import type { ScheduledStartOutcome } from '../../workflows/engine/scheduled-start';
import { PayrollRunInput } from '../../workflows/payroll-run/schema';
import { periodClosedBefore } from '../../workflows/payroll-run/schedule';
import { HistoryReader } from '../../api/audit/history-reader';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBusinessItemActivities } from '../../activities/business-items';
import { completeTaskUpdate, runViewQuery, type Actor } from '../../workflows/engine/messages';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import { eventually, uniqueId } from '../support/temporal';
import { localTime, manualTaskInput, orchestrationWorker, ScheduleDesk, sleep } from './schedules.fixtures';

let desk: ScheduleDesk;
let worker: Awaited<ReturnType<typeof orchestrationWorker>>;
const runIds = new Set<string>();
beforeAll(async () => {
  [desk, worker] = await Promise.all([ScheduleDesk.start(), orchestrationWorker()]);
});
afterAll(async () => {
  await Promise.all([...runIds].map((id) => desk?.temporal.workflow.getHandle(id).terminate('schedules test clean-up').catch(() => undefined)));
  await desk?.close();
  await worker?.stop();
});

type Run = { runId?: string; status: string; scheduledAt: string; input?: Record<string, unknown>; refused?: string; launchId?: string };
const monthly = (timezone: string) => ({ cron: ['0 2 1 * *'], timezone });

async function createPayrollSchedule(name: string, person: string, input: object, timezone: string): Promise<string> {
  const scheduleId = desk.id(name);
  const res = await desk.call(person, 'POST', '/schedules', { scheduleId, process: 'payroll-run', input, spec: monthly(timezone), paused: true });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return scheduleId;
}

const recentRuns = (id: string, person: string, ready: (runs: Run[]) => boolean, what: string) =>
  eventually(async () => {
    const runs = (await desk.call(person, 'GET', `/schedules/${id}`)).body.recentRuns as Run[];
    return ready(runs) && runs;
  }, what, 30_000, 250);

/** The input the run's workflow was started with, read from its history as the audit reads it. */
async function startedInput(runId: string): Promise<unknown> {
  const reader = new HistoryReader(desk.temporal, runId);
  const [started] = await reader.events();
  return (await reader.workflowValues(started!.workflowExecutionStartedEventAttributes!.input))[0];
}

const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };

describe('schedules whose runs take their input from the fire time', () => {
  it('the launcher reads a business item’s attempts as an API start does: open, free again after a failure, named once completed', async () => {
    const env = new MockActivityEnvironment({}, { client: desk.temporal });
    const { businessItemState } = createBusinessItemActivities();
    const ref = uniqueId('item');
    const state = () => env.run(businessItemState, { process: 'manual-task', client: 'acme-health', ref });
    const start = async (attempt: number) => {
      const workflowId = referenceRunId('manual-task', 'acme-health', ref, attempt);
      runIds.add(workflowId);
      return desk.temporal.workflow.start('manualTask', { taskQueue: ORCHESTRATION_TASK_QUEUE, workflowId, args: [manualTaskInput(ref)] });
    };
    expect(await state()).toEqual({ nextAttempt: 1 });
    const first = await start(1);
    expect(await state()).toEqual({ open: first.workflowId });
    await first.terminate('failed for good');
    expect(await state()).toEqual({ nextAttempt: 2 });
    const second = await start(2);
    const task = await eventually(async () => (await second.query(runViewQuery)).openTasks[0], 'the task');
    await second.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] });
    await second.result();
    expect(await state()).toEqual({ nextAttempt: 3, completed: second.workflowId });
  });

  it('holds only the fixed input, shows each next fire’s period, and a backfill over three months starts three runs for three periods', async () => {
    const id = await createPayrollSchedule('payroll-backfill', 'nina.berg', { client: 'acme-health', concurrency: 1 }, 'America/New_York');
    const view = (await desk.call('nina.berg', 'GET', `/schedules/${id}`)).body;
    expect(view).toMatchObject({ process: 'payroll-run', input: { client: 'acme-health', concurrency: 1 }, inputFromFireTime: true, policies: { overlap: 'ALLOW_ALL' } });
    expect(view.nextRuns).toHaveLength(view.nextRunTimes.length);
    for (const next of view.nextRuns as { at: string; input: Record<string, unknown> }[]) {
      expect(localTime('America/New_York', new Date(next.at))).toMatchObject({ time: '02:00', date: expect.stringMatching(/-01$/) });
      expect(next.input).toEqual({ client: 'acme-health', concurrency: 1, period: periodClosedBefore(new Date(next.at), 'America/New_York') });
    }
    expect(new Set(view.nextRuns.map((n: { input: { period: string } }) => n.input.period)).size).toBe(view.nextRuns.length);
    const held = await desk.temporal.schedule.getHandle(id).describe();
    expect(held.action).toMatchObject({ workflowType: 'scheduledStart', args: [{ process: 'payroll-run', scheduleId: id, fixed: { client: 'acme-health', concurrency: 1 }, calendar: { timeZone: 'America/New_York' } }] });

    // 02:00 New York time on 1 January, 1 February and 1 March 2031: December, January and February.
    const res = await desk.call('nina.berg', 'POST', `/schedules/${id}/backfill`, { start: '2031-01-01T00:00:00Z', end: '2031-03-15T00:00:00Z' });
    expect(res.status).toBe(202);
    const runs = await recentRuns(id, 'nina.berg', (r) => r.length >= 3 && r.every((x) => x.status === 'running'), 'three backfilled runs');
    await sleep(1_000);
    expect((await desk.call('nina.berg', 'GET', `/schedules/${id}`)).body.recentRuns).toHaveLength(3);
    const periods = ['2030-12', '2031-01', '2031-02'];
    expect(runs.map((r) => r.scheduledAt)).toEqual(['2031-01-01T07:00:00.000Z', '2031-02-01T07:00:00.000Z', '2031-03-01T07:00:00.000Z']);
    expect(runs.map((r) => r.runId)).toEqual(periods.map((p) => referenceRunId('payroll-run', 'acme-health', p)));
    runs.forEach((r) => runIds.add(r.runId!));
    expect(runs.map((r) => r.input)).toEqual(periods.map((period) => ({ client: 'acme-health', concurrency: 1, period })));

    for (const [i, run] of runs.entries()) {
      const d = await desk.temporal.workflow.getHandle(run.runId!).describe();
      expect(d.type).toBe('payrollRun');
      const attrs = Object.fromEntries(d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
      expect(attrs).toMatchObject({ TandemClient: 'acme-health', TandemProcess: 'payroll-run', TandemBusinessRef: periods[i] });
      // The run gets what a direct start with that input gives it.
      expect(await startedInput(run.runId!)).toEqual(PayrollRunInput.parse({ client: 'acme-health', period: periods[i], concurrency: 1 }));
      expect(run.launchId).toMatch(new RegExp(`^payroll-run-sched-${id}-`));
    }
    await desk.call('nina.berg', 'DELETE', `/schedules/${id}`);
  });

  it('triggered twice in one month, starts one run and records the second fire as refused; once that run has failed, the next fire starts the item again', async () => {
    // initech: no other test starts its payroll runs, so this month's period is free here.
    const id = await createPayrollSchedule('payroll-twice', 'lee.chen', { client: 'initech' }, 'Asia/Tokyo');
    expect((await desk.call('lee.chen', 'POST', `/schedules/${id}/trigger`, {})).status).toBe(202);
    const [first] = await recentRuns(id, 'lee.chen', (r) => r[0]?.status === 'running', 'the first run');
    runIds.add(first!.runId!);
    const period = periodClosedBefore(new Date(first!.scheduledAt), 'Asia/Tokyo');
    expect(first).toMatchObject({ runId: referenceRunId('payroll-run', 'initech', period), input: { client: 'initech', period } });

    expect((await desk.call('lee.chen', 'POST', `/schedules/${id}/trigger`, {})).status).toBe(202);
    const runs = await recentRuns(id, 'lee.chen', (r) => r.length >= 2 && r[1]!.status !== 'starting', 'the second fire');
    expect(runs[1]).toMatchObject({ status: 'refused', runId: first!.runId, input: { client: 'initech', period }, refused: `${period} is already running as ${first!.runId}` });
    expect(runs[0]!.status).toBe('running');
    const refusal = (await desk.temporal.workflow.getHandle(runs[1]!.launchId!).result()) as ScheduledStartOutcome;
    expect(refusal).toMatchObject({ kind: 'refused', runId: first!.runId, businessRef: period });
    const query = `WorkflowType = 'payrollRun' AND TandemClient = 'initech' AND TandemBusinessRef = '${period}'`;
    expect(await eventually(async () => (await desk.temporal.workflow.count(query)).count || undefined, 'the run in visibility')).toBe(1);

    // As for an API start, a run that ended without completing leaves its item free: the next attempt.
    await desk.temporal.workflow.getHandle(first!.runId!).terminate('the portal was down all night');
    await sleep(1_000); // a fire of its own second, so a launcher of its own
    expect((await desk.call('lee.chen', 'POST', `/schedules/${id}/trigger`, {})).status).toBe(202);
    const again = await recentRuns(id, 'lee.chen', (r) => r[2]?.status === 'running', 'the run of the next attempt');
    runIds.add(again[2]!.runId!);
    expect(again[2]).toMatchObject({ runId: referenceRunId('payroll-run', 'initech', period, 2), input: { client: 'initech', period } });
    expect(again[0]!.status).toBe('terminated');
    await desk.call('lee.chen', 'DELETE', `/schedules/${id}`);
  });
});
