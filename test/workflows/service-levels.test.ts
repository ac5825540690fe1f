// SLA timers, escalation ladders, business calendars and task leases at their real lengths, on
// Temporal's Java test server with time skipping: a 4-hour SLA and its 3-hour ladder, a lease of
// the default five minutes and a weekend on a business calendar each fire in seconds. Each test
// prints the server time its timers stood for beside the wall time it took. (Schedules are not on
// the test server; their firing stays on the dev server in test/api/schedules-firing.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { claimTaskUpdate, completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import { TaskFailureType } from '../../workflows/engine/failures';
import { DEFAULT_LEASE_MS } from '../../workflows/engine/task-book';
import type { NotificationActivities, TandemEvent } from '../../workflows/engine/events';
import type { InboxActivities } from '../../activities/inbox';
import { stackEnv, uniqueId } from '../support/temporal';
import { timed, timeSkippingEnv } from '../support/time-skipping';

const HOUR = 3600_000;
const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function withWorker<T>(body: (start: (input: object) => Promise<string>, events: TandemEvent[], synced: HumanTaskView[]) => Promise<T>): Promise<T> {
  const events: TandemEvent[] = [];
  const synced: HumanTaskView[] = [];
  const activities: InboxActivities & NotificationActivities = {
    syncTask: async (task) => {
      synced.push(task);
      return {};
    },
    emitEvent: async (event) => void events.push(event),
  };
  const taskQueue = uniqueId('sla');
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! }, activities });
  const start = async (input: object) => {
    const workflowId = uniqueId('manual-task');
    await env.client.workflow.start('manualTask', { taskQueue, workflowId, args: [{ client: 'acme-health', reference: 'REF-1', title: 'Sign off', team: 'claims-review', ...input }] });
    return workflowId;
  };
  return worker.runUntil(body(start, events, synced));
}

const types = (events: TandemEvent[]) => events.map((e) => e.type);
const openTask = async (runId: string): Promise<HumanTaskView> => {
  for (;;) {
    const task = (await env.client.workflow.getHandle(runId).query(runViewQuery)).openTasks[0];
    if (task) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('service levels (time skipping)', () => {
  it('a 4-hour SLA: one event at the breach and one per rung of a 3-hour ladder, then an automatic decision', async () => {
    await withWorker(async (start, events) => {
      let outcome!: { runId: string; result: unknown };
      await timed('4 h SLA + 3 h ladder + 5 h run SLA', async () => {
        const runId = await start({
          sla: {
            withinMs: 4 * HOUR,
            ladder: [
              { afterMs: 1 * HOUR, action: 'remind' },
              { afterMs: 2 * HOUR, action: 'escalate', toTeam: 'claims-supervisors', raisePriority: 2 },
              { afterMs: 3 * HOUR, action: 'auto-decide', decision: { action: 'reject', data: { reason: 'No decision within the service level' } } },
            ],
          },
          runSla: { withinMs: 5 * HOUR },
        });
        const result = await env.client.workflow.getHandle(runId).result();
        const view = await env.client.workflow.getHandle(runId).query(runViewQuery);
        expect(view.sla?.breachedAt).toBeDefined();
        outcome = { runId, result };
        return { stoodForMs: Math.max(...events.map((e) => Date.parse(e.at))) - Date.parse(view.startedAt) };
      });
      expect(outcome.result).toMatchObject({ decision: 'reject', decidedBy: 'system:sla' });
      expect(types(events).sort()).toEqual(['run.sla-breached', 'task.auto-decided', 'task.sla-breached', 'task.sla-escalated', 'task.sla-reminder']);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.at);
      const breach = events.find((e) => e.type === 'task.sla-breached')!;
      const dueAt = Date.parse(breach.data.dueAt as string);
      // The breach at the due time and each rung at its own hour after it, in workflow time: the timers really ran.
      expect(at('task.sla-breached')).toBeGreaterThanOrEqual(dueAt);
      expect(at('task.sla-reminder')).toBeGreaterThanOrEqual(dueAt + 1 * HOUR);
      expect(at('task.sla-escalated')).toBeGreaterThanOrEqual(dueAt + 2 * HOUR);
      expect(at('task.auto-decided')).toBeGreaterThanOrEqual(dueAt + 3 * HOUR);
      expect(at('run.sla-breached')).toBeGreaterThanOrEqual(dueAt + 1 * HOUR - 60_000); // 5 h after the start, 4 h after the task opened
      expect(events.find((e) => e.type === 'task.sla-escalated')).toMatchObject({ client: 'acme-health', process: 'manual-task', runId: outcome.runId, data: { team: 'claims-supervisors', rung: 1 } });
    });
  });

  it('a task decided in time raises nothing; business hours count in the client’s calendar', async () => {
    await withWorker(async (start, events) => {
      const runId = await start({ sla: { withinMs: 4 * HOUR, calendar: { timeZone: 'Asia/Tokyo', holidays: ['2026-12-31'] }, ladder: [{ afterMs: 0, action: 'remind' }] } });
      const handle = env.client.workflow.getHandle(runId);
      const task = await openTask(runId);
      expect(Date.parse(task.sla!.dueAt) - Date.parse(task.createdAt)).toBeGreaterThanOrEqual(4 * HOUR);
      expect(task.dueAt).toBe(task.sla!.dueAt);
      await env.sleep(3 * HOUR); // within the four working hours, whatever the day
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] });
      await handle.result();
      expect(events).toEqual([]);
    });
  });

  it('a weekend on a business calendar: the breach waits for the next working day, and fires then', async () => {
    await withWorker(async (start, events) => {
      // The only working day is three days from now (in UTC), so the next days are a "weekend".
      const now = new Date(await env.currentTimeMs());
      const isoDay = ((now.getUTCDay() + 3 + 6) % 7) + 1; // ISO weekday of now + 3 days
      const calendar = { timeZone: 'UTC', workdays: [isoDay], opens: '09:00', closes: '17:00' };
      await timed('a 2-working-hour SLA across a business-calendar weekend', async () => {
        const runId = await start({ sla: { withinMs: 2 * HOUR, calendar } });
        const task = await openTask(runId);
        const dueAt = Date.parse(task.sla!.dueAt);
        expect(dueAt - Date.parse(task.createdAt)).toBeGreaterThan(48 * HOUR);
        expect(new Date(dueAt).getUTCHours()).toBe(11); // 09:00 + 2 working hours
        const handle = env.client.workflow.getHandle(runId);
        await env.sleep(dueAt - (await env.currentTimeMs()) + 60_000);
        const view = await handle.query(runViewQuery);
        expect(view.openTasks[0]?.sla?.breachedAt).toBeDefined();
        expect(types(events)).toEqual(['task.sla-breached']);
        expect(Date.parse(events[0]!.at)).toBeGreaterThanOrEqual(dueAt);
        await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] });
        await handle.result();
        return { stoodForMs: Date.parse(events[0]!.at) - Date.parse(task.createdAt) };
      });
    });
  });

  it('a lease of the default five minutes lapses: the task goes back to its queue and a decision under it is refused', async () => {
    await withWorker(async (start, _events, synced) => {
      await timed('a default lease lapsing', async () => {
        const runId = await start({});
        const handle = env.client.workflow.getHandle(runId);
        const task = await openTask(runId);
        const claimed = await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, actor: ana }] });
        expect(Date.parse(claimed.claim!.until) - Date.parse(claimed.claim!.claimedAt)).toBe(DEFAULT_LEASE_MS);
        await env.sleep(DEFAULT_LEASE_MS + 1000);
        const reopened = (await handle.query(runViewQuery)).openTasks[0]!;
        expect(reopened.status).toBe('open');
        expect(reopened.claim).toBeUndefined();
        expect(reopened.events.at(-1)).toMatchObject({ event: 'lease-expired', by: 'system', note: 'ana.lima' });
        expect(synced.at(-1)).toMatchObject({ status: 'open' });
        await expect(
          handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, leaseId: claimed.claim!.leaseId, actor: ana }] }),
        ).rejects.toMatchObject({ cause: { type: TaskFailureType.LeaseExpired } });
        await handle.terminate('test done');
        return { stoodForMs: Date.parse(reopened.events.at(-1)!.at) - Date.parse(claimed.claim!.claimedAt) };
      });
    });
  });
});
