// Scheduled service reports and service-level breaches, as durable runs. A client's report schedule
// (api/report-schedules.ts) starts `serviceReportSchedule` at each fire; it reads its own scheduled
// time (TemporalScheduledStartTime: the spec's time, for backfills and catch-ups too), works out
// the period that just closed in the client's zone and starts that period's `serviceReport` under
// the id `service-report.<client>.<period>`: a second fire or backfill of the same period is
// refused by Temporal, so each client and period is reported, and delivered, once. A breach of a
// target is a run of its own under `service-level-breach.<client>.<process>.<period>.<target>`,
// so it is raised (and its webhook sent) once, however many checks find it.
import { ApplicationFailure, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { NotificationActivities } from './events';
import type { ReportActivities, ServiceLevelBreach, ServiceReportSummary } from '../../contract/service-reports';
import { closedPeriodAt, runningPeriodsAt } from './report-periods';

export const SERVICE_REPORT_SCHEDULE_WORKFLOW = 'serviceReportSchedule';
export const SERVICE_REPORT_WORKFLOW = 'serviceReport';
export const SERVICE_LEVEL_BREACH_WORKFLOW = 'serviceLevelBreach';
/** Memo keys: what a report run and a breach run stand for (the API lists them from visibility). */
export const SERVICE_REPORT_MEMO = 'tandem.serviceReport';
export const SERVICE_LEVEL_BREACH_MEMO = 'tandem.serviceLevelBreach';

export const REPORT_SCHEDULE_KINDS = ['monthly', 'weekly', 'watch'] as const;
export type ReportScheduleKind = (typeof REPORT_SCHEDULE_KINDS)[number];

export const serviceReportId = (client: string, period: string): string => `service-report.${client}.${period}`;
export const reportScheduleId = (client: string, kind: ReportScheduleKind): string => `service-report.${client}.${kind}`;

/** What a report schedule's action holds. */
export interface ReportScheduleInput {
  client: string;
  kind: ReportScheduleKind;
  timeZone: string;
  /** Where the API answers, for the report's links (as the API that created the schedule was called). */
  apiBase: string;
  scheduleId: string;
}

export interface ServiceReportInput {
  client: string;
  period: string;
  apiBase: string;
  scheduleId?: string;
  firedAt?: string;
}

export type ReportLinks = Record<'json' | 'csv' | 'html', string>;
export interface ServiceReportResult {
  summary: ServiceReportSummary;
  links: ReportLinks;
}

export type ReportFireOutcome =
  | { kind: 'started' | 'already-reported'; period: string; reportId: string; firedAt: string }
  | { kind: 'checked'; periods: string[]; breaches: string[]; firedAt: string };

const reports = proxyActivities<ReportActivities>({ startToCloseTimeout: '2 minutes', retry: { maximumInterval: '1 minute' } });
const notices = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '10 seconds',
  // A report or a breach nobody hears of is what this exists to prevent: keep trying.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const SCHEDULED_AT = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

function scheduledTime(): Date {
  const at = workflowInfo().typedSearchAttributes.get(SCHEDULED_AT);
  if (!at) throw ApplicationFailure.nonRetryable('Not started by a schedule: no TemporalScheduledStartTime', 'NotScheduled');
  return at;
}

/** One fire of a client's report schedule: starts the closed period's report, or (watch) checks the running periods. */
export async function serviceReportSchedule(launch: ReportScheduleInput): Promise<ReportFireOutcome> {
  const fired = scheduledTime();
  const firedAt = fired.toISOString();
  if (launch.kind === 'watch') {
    const periods = runningPeriodsAt(fired, launch.timeZone);
    const breaches: string[] = [];
    for (const period of periods) {
      const summary = await reports.compileServiceReport({ client: launch.client, period, final: false });
      breaches.push(...(await raiseBreaches(summary.breaches)));
    }
    return { kind: 'checked', periods, breaches, firedAt };
  }
  const period = closedPeriodAt(fired, launch.kind, launch.timeZone);
  const reportId = serviceReportId(launch.client, period);
  try {
    await startChild(serviceReport, {
      workflowId: reportId,
      args: [{ client: launch.client, period, apiBase: launch.apiBase, scheduleId: launch.scheduleId, firedAt }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A failed report may be made again by a later fire or backfill; a delivered one never.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      memo: { [SERVICE_REPORT_MEMO]: { client: launch.client, period, scheduleId: launch.scheduleId } },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { kind: 'already-reported', period, reportId, firedAt };
  }
  return { kind: 'started', period, reportId, firedAt };
}

/** A client's report of one closed period: compiled from the reporting store, breaches raised, delivered as `report.ready`. */
export async function serviceReport(input: ServiceReportInput): Promise<ServiceReportResult> {
  const summary = await reports.compileServiceReport({ client: input.client, period: input.period, final: true });
  await raiseBreaches(summary.breaches);
  const base = `${input.apiBase.replace(/\/+$/, '')}/clients/${input.client}/reports/${input.period}`;
  const links: ReportLinks = { json: `${base}?format=json`, csv: `${base}?format=csv`, html: `${base}?format=html` };
  const { workflowId } = workflowInfo();
  await notices.emitEvent({
    id: `${workflowId}:report.ready`,
    type: 'report.ready',
    client: input.client,
    process: 'service-report',
    runId: workflowId,
    at: new Date().toISOString(),
    data: { period: input.period, summary, links, ...(input.scheduleId ? { scheduleId: input.scheduleId } : {}) },
  });
  return { summary, links };
}

/** A missed target's record: announces it once (the event id is the run's id) and ends. */
export async function serviceLevelBreach(breach: ServiceLevelBreach): Promise<ServiceLevelBreach> {
  await notices.emitEvent({ id: breach.id, type: 'service-level.breached', client: breach.client, process: breach.process, runId: breach.id, at: breach.detectedAt, data: { ...breach } });
  return breach;
}

/** Starts a breach run for each miss not raised before; returns the ids newly raised. */
async function raiseBreaches(breaches: ServiceLevelBreach[]): Promise<string[]> {
  const raised: string[] = [];
  for (const breach of breaches) {
    try {
      await startChild(serviceLevelBreach, {
        workflowId: breach.id,
        args: [breach],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { [SERVICE_LEVEL_BREACH_MEMO]: breach },
      });
      raised.push(breach.id);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return raised;
}
