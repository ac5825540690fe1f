// What a schedule looks like through the API: Temporal's description in our words, with each
// recent run's outcome read from the run itself (the schedule only knows it started them).
import type { Client, ScheduleDescription, ScheduleExecutionResult, ScheduleSummary as TemporalSummary } from '@temporalio/client';
import type { ProcessDefinition } from '../../workflows/engine/process-definition';
import { fromTemporalSpec } from './schedule-spec';
import { launchedRun, launchOf, nextRuns, runState } from './fire-time-launch';
import { OverlapPolicy, type ScheduledRun, type ScheduleSummary, type ScheduleView } from './schedule-schemas';

/** Where a schedule keeps whose it is; list and describe scope by it. */
export interface ScheduleOwner {
  client: string;
  process: string;
}

export function ownerOf(memo: Record<string, unknown> | undefined): ScheduleOwner | undefined {
  const { client, process } = (memo ?? {}) as Partial<ScheduleOwner>;
  return typeof client === 'string' && typeof process === 'string' ? { client, process } : undefined;
}

/** Protobuf counters may arrive as Long objects. */
const count = (value: unknown): number => Number(value?.toString() ?? 0) || 0;
const scheduleUrl = (scheduleId: string) => `/schedules/${encodeURIComponent(scheduleId)}`;

async function scheduledRun(temporal: Client, result: ScheduleExecutionResult): Promise<ScheduledRun> {
  const runId = result.action.workflow.workflowId;
  const base = { runId, url: `/runs/${encodeURIComponent(runId)}`, scheduledAt: result.scheduledAt.toISOString(), startedAt: result.takenAt.toISOString() };
  return { ...base, ...(await runState(temporal, runId)) };
}

/** The schedule in our words; `process` (when still offered) computes the inputs of the next fires. */
export async function scheduleView(temporal: Client, d: ScheduleDescription, owner: ScheduleOwner, process?: ProcessDefinition): Promise<ScheduleView> {
  const { spec, skippedDates } = fromTemporalSpec(d.spec);
  const info = d.raw.info;
  const launch = launchOf(d);
  const recent = launch ? launchedRun : scheduledRun;
  return {
    scheduleId: d.scheduleId,
    url: scheduleUrl(d.scheduleId),
    ...owner,
    input: launch ? launch.fixed : ((d.action.args?.[0] ?? {}) as Record<string, unknown>),
    inputFromFireTime: launch !== undefined,
    spec,
    skippedDates,
    policies: {
      overlap: OverlapPolicy.catch('SKIP').parse(d.policies.overlap),
      catchupWindowMs: d.policies.catchupWindow,
      pauseOnFailure: d.policies.pauseOnFailure,
    },
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    nextRuns: nextRuns(d, process),
    recentRuns: await Promise.all(d.info.recentActions.map((r) => recent(temporal, r))),
    stats: {
      runsStarted: d.info.numActionsTaken,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
      buffered: count(info?.bufferSize),
      bufferDropped: count(info?.bufferDropped),
    },
    createdAt: d.info.createdAt.toISOString(),
    ...(d.info.lastUpdatedAt ? { updatedAt: d.info.lastUpdatedAt.toISOString() } : {}),
  };
}

export function scheduleSummary(s: TemporalSummary, owner: ScheduleOwner): ScheduleSummary {
  const last = s.info.recentActions.at(-1);
  return {
    scheduleId: s.scheduleId,
    url: scheduleUrl(s.scheduleId),
    ...owner,
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    nextRunTimes: s.info.nextActionTimes.map((t) => t.toISOString()),
    ...(last ? { lastRunAt: last.takenAt.toISOString() } : {}),
  };
}
