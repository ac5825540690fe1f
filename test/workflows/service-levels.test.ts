// SLA timers in the run, on the real Temporal server with short real intervals: a task's breach
// and each escalation rung raise exactly one event, a decided task raises none, and a run SLA
// breach is announced once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import type { NotificationActivities, TandemEvent } from '../../workflows/engine/events';
import type { InboxActivities } from '../../activities/inbox';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const ana: Actor = { operatorId: 'ana.lima', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] };

let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;
beforeAll(async () => {
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE));
});
afterAll(async () => {
  await closeClient?.();
  await connection?.close();
});

async function withWorker<T>(body: (start: (input: object) => Promise<string>, events: TandemEvent[], synced: HumanTaskView[]) => Promise<T>): Promise<T> {
  const events: TandemEvent[] = [];
  const synced: HumanTaskView[] = [];
  const activities: InboxActivities & NotificationActivities = {
    syncTask: async (task) => {
      synced.push(task);
      return {};
    },
    // Delivered twice on purpose now and then: a retried activity must not make a second event.
    emitEvent: async (event) => void events.push(event),
  };
  const taskQueue = uniqueId('sla');
  const worker = await Worker.create({
    connection,
    namespace: stackEnv().TANDEM_UNIT_NAMESPACE!,
    taskQueue,
    dataConverter: workerDataConverter(),
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities,
  });
  const start = async (input: object) => {
    const workflowId = uniqueId('manual-task');
    await client.workflow.start('manualTask', { taskQueue, workflowId, args: [{ client: 'acme-health', reference: 'REF-1', title: 'Sign off', team: 'claims-review', ...input }] });
    return workflowId;
  };
  return worker.runUntil(body(start, events, synced));
}

const types = (events: TandemEvent[]) => events.map((e) => e.type);

describe('service levels', () => {
  it('raises one event at the breach and one per rung, escalates, then decides automatically', async () => {
    await withWorker(async (start, events) => {
      const runId = await start({
        sla: {
          withinMs: 1500,
          ladder: [
            { afterMs: 300, action: 'remind' },
            { afterMs: 600, action: 'escalate', toTeam: 'claims-supervisors', raisePriority: 2 },
            { afterMs: 900, action: 'auto-decide', decision: { action: 'reject', data: { reason: 'No decision within the service level' } } },
          ],
        },
        runSla: { withinMs: 2000 },
      });
      const outcome = await client.workflow.getHandle(runId).result();
      expect(outcome).toMatchObject({ decision: 'reject', decidedBy: 'system:sla' });
      await eventually(async () => events.length >= 5, 'all events');
      expect(types(events).sort()).toEqual(['run.sla-breached', 'task.auto-decided', 'task.sla-breached', 'task.sla-escalated', 'task.sla-reminder']);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const escalated = events.find((e) => e.type === 'task.sla-escalated')!;
      expect(escalated).toMatchObject({ client: 'acme-health', process: 'manual-task', runId, data: { team: 'claims-supervisors', rung: 1 } });
      const view = await client.workflow.getHandle(runId).query(runViewQuery);
      expect(view.sla?.breachedAt).toBeDefined();
    });
  });

  it('raises nothing for a task decided in time, and counts business hours in the client’s calendar', async () => {
    await withWorker(async (start, events) => {
      const runId = await start({ sla: { withinMs: 4 * 3600_000, calendar: { timeZone: 'Asia/Tokyo', holidays: ['2026-12-31'] }, ladder: [{ afterMs: 0, action: 'remind' }] } });
      const handle = client.workflow.getHandle(runId);
      const task = await eventually(async () => (await handle.query(runViewQuery)).openTasks[0], 'the task');
      // Due 4 working hours after opening, Tokyo time: never earlier than 4 elapsed hours.
      expect(Date.parse(task.sla!.dueAt) - Date.parse(task.createdAt)).toBeGreaterThanOrEqual(4 * 3600_000);
      expect(task.dueAt).toBe(task.sla!.dueAt);
      await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'approve', data: {}, actor: ana }] });
      await handle.result();
      expect(events).toEqual([]);
    });
  });
});
