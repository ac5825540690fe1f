// A client's service-report schedules (Temporal Schedules): monthly and weekly reports of the
// period that just closed, and a daily watch of the running periods' service levels. One schedule
// of each kind per client, under a fixed id (service-report.<client>.<kind>), read in the client's
// time zone. They carry no Tandem search attributes, so /schedules (process runs) never lists them.
import { z } from 'zod';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { ORCHESTRATION_TASK_QUEUE } from '../workflows/engine/process-definition';
import {
  REPORT_SCHEDULE_KINDS,
  reportScheduleId,
  SERVICE_REPORT_MEMO,
  SERVICE_REPORT_SCHEDULE_WORKFLOW,
  SERVICE_REPORT_WORKFLOW,
  SERVICE_LEVEL_BREACH_MEMO,
  SERVICE_LEVEL_BREACH_WORKFLOW,
  type ReportScheduleInput,
  type ReportScheduleKind,
} from '../workflows/engine/service-report';
import { ServiceLevelBreach } from '../reporting/service-report';
import { problems } from './problems';

export const ReportScheduleKindParam = z.enum(REPORT_SCHEDULE_KINDS).describe('monthly: 1st of the month, the month before; weekly: Mondays, the ISO week before; watch: daily, the running month and week');

export const NewReportSchedule = z
  .object({
    kind: ReportScheduleKindParam,
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A local time HH:MM')
      .default('06:00')
      .describe('Local time of the fire in the client’s time zone'),
    paused: z.boolean().default(false),
    note: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type NewReportSchedule = z.infer<typeof NewReportSchedule>;

export const ReportScheduleView = z.object({
  scheduleId: z.string(),
  client: z.string(),
  kind: ReportScheduleKindParam,
  at: z.string(),
  timeZone: z.string(),
  paused: z.boolean(),
  note: z.string().optional(),
  nextFires: z.array(z.string()),
  recentFires: z.array(z.object({ scheduledAt: z.string(), startedAt: z.string(), fireRunId: z.string() })),
  createdAt: z.string(),
});
export type ReportScheduleView = z.infer<typeof ReportScheduleView>;

export const DeliveredReport = z.object({
  reportId: z.string().describe('service-report.<client>.<period>: one per client and period'),
  period: z.string(),
  status: z.string().describe('running, completed (delivered as report.ready), failed…'),
  startedAt: z.string(),
  scheduleId: z.string().optional(),
});
export type DeliveredReport = z.infer<typeof DeliveredReport>;

const OWNER_MEMO = 'tandem.reportSchedule';
interface Owner {
  client: string;
  kind: ReportScheduleKind;
  at: string;
  timeZone: string;
}

const calendarOf = (kind: ReportScheduleKind, at: string) => {
  const [hour, minute] = at.split(':').map(Number);
  const time = { hour: hour!, minute: minute! };
  if (kind === 'monthly') return { ...time, dayOfMonth: 1, comment: 'the 1st of each month' };
  if (kind === 'weekly') return { ...time, dayOfWeek: 'MONDAY' as const, comment: 'each Monday' };
  return { ...time, comment: 'each day' };
};

export class ReportSchedules {
  constructor(
    private readonly temporal: Client,
    private readonly timeZoneOf: (client: string) => string,
    private readonly taskQueue = ORCHESTRATION_TASK_QUEUE,
  ) {}

  async create(client: string, body: NewReportSchedule, apiBase: string, createdBy: string): Promise<ReportScheduleView> {
    const scheduleId = reportScheduleId(client, body.kind);
    const timeZone = this.timeZoneOf(client);
    const launch: ReportScheduleInput = { client, kind: body.kind, timeZone, apiBase, scheduleId };
    try {
      await this.temporal.schedule.create({
        scheduleId,
        spec: { calendars: [calendarOf(body.kind, body.at)], timezone: timeZone },
        action: { type: 'startWorkflow', workflowType: SERVICE_REPORT_SCHEDULE_WORKFLOW, workflowId: `${scheduleId}.fire`, taskQueue: this.taskQueue, args: [launch] },
        // The fires are short and each period is reported once by its report's id, so fires may overlap;
        // a day of catch-up covers a Temporal outage over the fire time.
        policies: { overlap: 'ALLOW_ALL', catchupWindow: '1 day' },
        state: { paused: body.paused, note: body.note ?? `Created by ${createdBy}` },
        memo: { [OWNER_MEMO]: { client, kind: body.kind, at: body.at, timeZone } satisfies Owner },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw problems.scheduleExists(`${client} already has a ${body.kind} report schedule`, { field: 'body.kind' });
      throw err;
    }
    return this.describe(client, body.kind);
  }

  /** The client's report schedules (at most one of each kind). */
  async list(client: string): Promise<ReportScheduleView[]> {
    const found = await Promise.all(REPORT_SCHEDULE_KINDS.map((kind) => this.describe(client, kind).catch(() => undefined)));
    return found.filter((v): v is ReportScheduleView => v !== undefined);
  }

  async describe(client: string, kind: ReportScheduleKind): Promise<ReportScheduleView> {
    return view(await this.owned(client, kind));
  }

  async pause(client: string, kind: ReportScheduleKind, note: string): Promise<ReportScheduleView> {
    await this.temporal.schedule.getHandle((await this.owned(client, kind)).scheduleId).pause(note);
    return this.describe(client, kind);
  }

  async unpause(client: string, kind: ReportScheduleKind, note?: string): Promise<ReportScheduleView> {
    await this.temporal.schedule.getHandle((await this.owned(client, kind)).scheduleId).unpause(note ?? 'Unpaused');
    return this.describe(client, kind);
  }

  async delete(client: string, kind: ReportScheduleKind): Promise<void> {
    await this.temporal.schedule.getHandle((await this.owned(client, kind)).scheduleId).delete();
  }

  /** The breaches raised for the client (optionally of one period), newest first, from their runs in Temporal. */
  async breaches(client: string, period?: string, limit = 500): Promise<ServiceLevelBreach[]> {
    const prefix = `service-level-breach.${client}.`;
    const found: ServiceLevelBreach[] = [];
    for await (const run of this.temporal.workflow.list({ query: `WorkflowType = '${SERVICE_LEVEL_BREACH_WORKFLOW}' AND WorkflowId STARTS_WITH '${prefix}'`, pageSize: 500 })) {
      const breach = ServiceLevelBreach.safeParse(run.memo?.[SERVICE_LEVEL_BREACH_MEMO]);
      if (breach.success && breach.data.client === client && (!period || breach.data.period === period)) found.push(breach.data);
      if (found.length >= limit) break;
    }
    return found.sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || a.id.localeCompare(b.id));
  }

  /** The client's delivered (or running) service reports, newest first, from their runs in Temporal. */
  async reports(client: string, limit = 200): Promise<DeliveredReport[]> {
    const found: DeliveredReport[] = [];
    const query = `WorkflowType = '${SERVICE_REPORT_WORKFLOW}' AND WorkflowId STARTS_WITH 'service-report.${client}.'`;
    for await (const run of this.temporal.workflow.list({ query, pageSize: 200 })) {
      const memo = run.memo?.[SERVICE_REPORT_MEMO] as { client?: string; period?: string; scheduleId?: string } | undefined;
      if (memo?.client !== client || typeof memo.period !== 'string') continue;
      found.push({ reportId: run.workflowId, period: memo.period, status: run.status.name.toLowerCase(), startedAt: run.startTime.toISOString(), ...(memo.scheduleId ? { scheduleId: memo.scheduleId } : {}) });
      if (found.length >= limit) break;
    }
    return found;
  }

  private async owned(client: string, kind: ReportScheduleKind): Promise<ScheduleDescription> {
    const notFound = problems.scheduleNotFound(`${client} has no ${kind} report schedule`);
    const d = await this.temporal.schedule
      .getHandle(reportScheduleId(client, kind))
      .describe()
      .catch((err: unknown) => {
        throw err instanceof ScheduleNotFoundError ? notFound : err;
      });
    if ((d.memo?.[OWNER_MEMO] as Owner | undefined)?.client !== client) throw notFound;
    return d;
  }
}

function view(d: ScheduleDescription): ReportScheduleView {
  const owner = d.memo![OWNER_MEMO] as Owner;
  return {
    scheduleId: d.scheduleId,
    client: owner.client,
    kind: owner.kind,
    at: owner.at,
    timeZone: owner.timeZone,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    nextFires: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentFires: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), startedAt: a.takenAt.toISOString(), fireRunId: a.action.workflow.workflowId })),
    createdAt: d.info.createdAt.toISOString(),
  };
}
