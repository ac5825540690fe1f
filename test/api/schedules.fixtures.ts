// Shared by the schedules tests: the real API in-process, calls as a roster person, an
// orchestration worker with the inbox and notification activities faked (manual-task runs wait for
// a human, i.e. forever: the "long run" the overlap tests need), and clean-up of schedules and runs.
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { InboxActivities } from '../../activities/inbox';
import type { NotificationActivities } from '../../workflows/engine/events';
import type { BusinessItemActivities } from '../../workflows/engine/scheduled-start';
import { createBusinessItemActivities } from '../../activities/business-items';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import { bearer } from '../support/auth';
import { startApi, type TestApi } from '../support/tandem-api';
import { stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

export interface Reply {
  status: number;
  body: any;
}

export class ScheduleDesk {
  /** Every schedule id this file made: all share this prefix, so a final sweep finds their runs. */
  readonly prefix = uniqueId('sched');
  private readonly made = new Set<string>();

  private constructor(
    readonly api: TestApi,
    readonly temporal: Client,
    private readonly closeClient: () => Promise<void>,
  ) {}

  static async start(): Promise<ScheduleDesk> {
    const { client, close } = await temporalClient();
    return new ScheduleDesk(await startApi(uniqueId('schedules')), client, close);
  }

  async call(person: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<Reply> {
    const res = await this.api.app.inject({ method, url, headers: await bearer(person), ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  }

  /** A schedule id of this file; cleaned up by `remove` or the final sweep. */
  id(name: string): string {
    const id = `${this.prefix}-${name}`;
    this.made.add(id);
    return id;
  }

  /** Creates a manual-task schedule for acme-health as Nina (a scheduler); fails the test unless 201. */
  async create(name: string, body: { spec: object; policies?: object; paused?: boolean; note?: string }, person = 'nina.berg'): Promise<Reply['body']> {
    const scheduleId = this.id(name);
    const res = await this.call(person, 'POST', '/schedules', { scheduleId, process: 'manual-task', input: manualTaskInput(name), ...body });
    if (res.status !== 201) throw new Error(`create ${scheduleId}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  describe(scheduleId: string, person = 'nina.berg'): Promise<Reply['body']> {
    return this.call(person, 'GET', `/schedules/${scheduleId}`).then((r) => r.body);
  }

  /** Stops the schedule first (nothing new starts), then ends every run it started. */
  async remove(scheduleId: string): Promise<void> {
    const handle = this.temporal.schedule.getHandle(scheduleId);
    const description = await handle.describe().catch(() => undefined);
    if (description) await handle.delete();
    const runIds = new Set(description?.info.recentActions.map((a) => a.action.workflow.workflowId));
    for await (const run of this.temporal.workflow.list({ query: `WorkflowId STARTS_WITH 'manual-task-sched-${scheduleId}-' AND ExecutionStatus = 'Running'` })) runIds.add(run.workflowId);
    await Promise.all([...runIds].map((id) => this.temporal.workflow.getHandle(id).terminate('schedules test clean-up').catch(() => undefined)));
    this.made.delete(scheduleId);
  }

  /** Removes whatever a failed test left behind. */
  async close(): Promise<void> {
    await Promise.all([...this.made].map((id) => this.remove(id).catch(() => undefined)));
    for await (const run of this.temporal.workflow.list({ query: `WorkflowId STARTS_WITH 'manual-task-sched-${this.prefix}' AND ExecutionStatus = 'Running'` })) {
      await this.temporal.workflow.getHandle(run.workflowId).terminate('schedules test clean-up').catch(() => undefined);
    }
    await this.api.close();
    await this.closeClient();
  }
}

export const manualTaskInput = (reference: string, client = 'acme-health') => ({ client, reference, title: 'Nightly check', team: 'claims-review' });

/** The orchestration worker of the stack's namespace, with the inbox and notification activities faked. */
export async function orchestrationWorker(): Promise<{ connection: NativeConnection; stop(): Promise<void> }> {
  const connection = await workerConnection();
  // The launcher of fire-time schedules reads business items from Temporal itself: the real activity.
  const activities: InboxActivities & NotificationActivities & BusinessItemActivities = {
    syncTask: async () => ({}),
    emitEvent: async () => undefined,
    ...createBusinessItemActivities(),
  };
  const worker = await Worker.create({
    connection,
    namespace: stackEnv().TEMPORAL_NAMESPACE!,
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    dataConverter: workerDataConverter(),
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities,
  });
  const running = worker.run();
  return {
    connection,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** The hour (0–23) it is now in a time zone. */
export function hourIn(timeZone: string, at = new Date()): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(at));
}

/** A local date (YYYY-MM-DD) and time (HH:MM) in a time zone. */
export function localTime(timeZone: string, at: Date): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
