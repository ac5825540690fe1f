// Schedules firing for real on the Temporal dev server, with short intervals (every 2 s) and
// manual-task runs that wait for a human, i.e. outlast the interval: each overlap policy holds,
// a paused schedule stays quiet, trigger and backfill start the right runs, the time zone decides
// the firing hour, and describe tells how each run ended. The scenarios run side by side.
// Not on time skipping: Temporal's Java test server has no Schedules (CreateSchedule is
// unimplemented there), so these stay on the dev server, with real seconds; the SLA, ladder,
// calendar and lease timers run on time skipping (test/workflows/service-levels.test.ts).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { completeTaskUpdate, runViewQuery, type Actor } from '../../workflows/engine/messages';
import { eventually } from '../support/temporal';
import { hourIn, orchestrationWorker, ScheduleDesk, sleep } from './schedules.fixtures';

let desk: ScheduleDesk;
let worker: Awaited<ReturnType<typeof orchestrationWorker>>;
beforeAll(async () => {
  [desk, worker] = await Promise.all([ScheduleDesk.start(), orchestrationWorker()]);
});
afterAll(async () => {
  await desk?.close();
  await worker?.stop();
});

const every2s = { intervals: [{ every: '2s' }], timezone: 'UTC' };
type Run = { runId: string; status: string; scheduledAt: string };
const running = (runs: Run[]) => runs.filter((r) => r.status === 'running');
const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };

/** Describes the schedule until `ready` says the scenario has played out (ticks every 2 s). */
const until = (id: string, ready: (view: Awaited<ReturnType<ScheduleDesk['describe']>>) => boolean, what: string) =>
  eventually(async () => {
    const view = await desk.describe(id);
    return ready(view) && view;
  }, what, 20_000, 250);

describe.concurrent('schedules firing', () => {
  it('SKIP: a tick during a long run is skipped, one run at a time', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('skip', { spec: every2s, policies: { overlap: 'SKIP' } });
    const view = await until(id, (v) => v.stats.skippedOverlap >= 2, 'two skipped ticks');
    expect(view.recentRuns).toHaveLength(1);
    expect(view.recentRuns[0].status).toBe('running');
    expect(view.stats.runsStarted).toBe(1);
    await desk.remove(id);
  });

  it('BUFFER_ONE: one run, and one more waiting for it', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('buffer-one', { spec: every2s, policies: { overlap: 'BUFFER_ONE' } });
    await until(id, (v) => v.stats.buffered >= 1, 'a buffered tick');
    await sleep(4_000); // two more ticks: the buffer holds one, the rest are skipped
    const view = await desk.describe(id);
    expect(view.recentRuns).toHaveLength(1);
    expect(running(view.recentRuns)).toHaveLength(1);
    expect(view.stats.buffered).toBe(1);
    expect(view.stats.skippedOverlap).toBeGreaterThanOrEqual(1);
    await desk.remove(id);
  });

  it('CANCEL_OTHER: the next tick cancels the running run, then starts', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('cancel-other', { spec: every2s, policies: { overlap: 'CANCEL_OTHER' } });
    const view = await until(id, (v) => v.recentRuns.length >= 2 && v.recentRuns.at(-1).status === 'running', 'a second run');
    expect(view.recentRuns[0].status).toBe('cancelled');
    expect(running(view.recentRuns)).toEqual([view.recentRuns.at(-1)]);
    await desk.remove(id);
  });

  it('ALLOW_ALL: long runs overlap', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('allow-all', { spec: every2s, policies: { overlap: 'ALLOW_ALL' } });
    const view = await until(id, (v) => running(v.recentRuns).length >= 2, 'two runs side by side');
    expect(view.stats.skippedOverlap).toBe(0);
    expect(view.recentRuns.every((r: Run) => r.status === 'running')).toBe(true);
    await desk.remove(id);
  });

  it('a paused schedule does not fire; unpaused, it does', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('paused', { spec: every2s, policies: { overlap: 'ALLOW_ALL' }, paused: true, note: 'Not yet' });
    await sleep(5_000);
    const quiet = await desk.describe(id);
    expect(quiet.recentRuns).toEqual([]);
    expect(quiet.stats.runsStarted).toBe(0);
    expect((await desk.call('nina.berg', 'POST', `/schedules/${id}/unpause`, { note: 'Go' })).body.paused).toBe(false);
    await until(id, (v) => v.recentRuns.length >= 1, 'a run after unpausing');
    await desk.remove(id);
  });

  it('fires in the hours of its own time zone', async ({ expect }) => {
    // The current hour in Tokyo (and the next, should the hour turn): due now there, 13–14 h away in New York.
    const hour = hourIn('Asia/Tokyo');
    const spec = (timezone: string) => ({ calendars: [{ second: { start: 0, end: 59, step: 2 }, minute: '*', hour: [hour, (hour + 1) % 24] }], timezone });
    const [tokyo, newYork] = await Promise.all([desk.create('tz-tokyo', { spec: spec('Asia/Tokyo') }), desk.create('tz-new-york', { spec: spec('America/New_York') })]);
    await until(tokyo.scheduleId, (v) => v.recentRuns.length >= 1, 'the Tokyo run');
    const quiet = await desk.describe(newYork.scheduleId);
    expect(quiet.recentRuns).toEqual([]);
    expect(Date.parse(quiet.nextRunTimes[0]) - Date.now()).toBeGreaterThan(8 * 3_600_000);
    expect(hourIn('America/New_York', new Date(quiet.nextRunTimes[0]))).toBe(hour);
    await Promise.all([desk.remove(tokyo.scheduleId), desk.remove(newYork.scheduleId)]);
  });

  it('trigger starts one run now, also when paused', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('trigger', { spec: { cron: ['0 3 * * *'], timezone: 'UTC' }, paused: true });
    const res = await desk.call('nina.berg', 'POST', `/schedules/${id}/trigger`, {});
    expect(res.status).toBe(202);
    const view = await until(id, (v) => v.recentRuns.length >= 1, 'the triggered run');
    await sleep(1_000);
    expect((await desk.describe(id)).recentRuns).toHaveLength(1);
    expect(view.recentRuns[0].runId).toMatch(new RegExp(`^manual-task-sched-${id}-`));
    expect(Math.abs(Date.parse(view.recentRuns[0].startedAt) - Date.now())).toBeLessThan(10_000);
    await desk.remove(id);
  });

  it('backfill starts one run per scheduled time in [start, end)', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('backfill', { spec: { cron: ['0 * * * *'], timezone: 'UTC' }, paused: true });
    const res = await desk.call('nina.berg', 'POST', `/schedules/${id}/backfill`, { start: '2026-01-01T00:00:00Z', end: '2026-01-01T05:00:00Z', overlap: 'ALLOW_ALL' });
    expect(res.status).toBe(202);
    await until(id, (v) => v.recentRuns.length >= 5, 'five backfilled runs');
    await sleep(1_000);
    const view = await desk.describe(id);
    expect(view.stats.runsStarted).toBe(5);
    expect(view.recentRuns.map((r: Run) => r.scheduledAt)).toEqual([0, 1, 2, 3, 4].map((h) => `2026-01-01T0${h}:00:00.000Z`));
    expect(running(view.recentRuns)).toHaveLength(5);
    await desk.remove(id);
  });

  it('describe tells how each recent run ended', async ({ expect }) => {
    const { scheduleId: id } = await desk.create('outcomes', { spec: { cron: ['0 3 * * *'], timezone: 'UTC' }, policies: { overlap: 'ALLOW_ALL' }, paused: true });
    for (let i = 0; i < 3; i++) {
      await desk.call('nina.berg', 'POST', `/schedules/${id}/trigger`, {});
      await until(id, (v) => v.recentRuns.length > i, `run ${i + 1}`);
      await sleep(1_000); // Temporal names runs by the second
    }
    const [approved, cancelled] = (await desk.describe(id)).recentRuns as Run[];
    const approvedRun = desk.temporal.workflow.getHandle(approved!.runId);
    const task = await eventually(async () => (await approvedRun.query(runViewQuery)).openTasks[0], 'the task');
    await approvedRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] });
    await desk.temporal.workflow.getHandle(cancelled!.runId).cancel();
    const view = await until(id, (v) => v.recentRuns[0].status === 'completed' && v.recentRuns[1].status === 'cancelled', 'the outcomes');
    expect(view.recentRuns.map((r: Run) => r.status)).toEqual(['completed', 'cancelled', 'running']);
    expect(view.recentRuns[0].closedAt).toBeDefined();
    await desk.remove(id);
  });
});
