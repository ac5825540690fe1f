// Schedules of processes whose runs take their input from the fire time (a `schedule` rule in the
// declaration, e.g. PayrollRun's period): the schedule starts the engine's launcher with the fixed
// part of the input and the calendar to read the fire time in; the launcher starts the run under its
// business item's id. Here: that action, the inputs the next fires will get, and what each recent
// fire did (started which run, or was refused because its item already had one).
import { WorkflowNotFoundError, type Client, type ScheduleDescription, type ScheduleExecutionResult, type ScheduleOptionsAction } from '@temporalio/client';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from '../../workflows/engine/process-definition';
import type { BusinessCalendar } from '../../workflows/engine/business-calendar';
import { scheduledInput } from '../../workflows/engine/scheduled-input';
import { SCHEDULED_START_WORKFLOW, type ScheduledStartInput, type ScheduledStartOutcome } from '../../workflows/engine/scheduled-start';
import { holidaysOf } from './holiday-calendars';
import type { ScheduledRun, ScheduleView } from './schedule-schemas';
import { RunStatus } from '../schemas';

/** The calendar a fire's time is read in: the schedule's own time zone and the holidays it skips. */
export function launchCalendar(spec: { timezone?: string; skip?: readonly { comment?: string }[] }): BusinessCalendar {
  const holidays = [...new Set(holidaysOf(spec.skip).map((h) => h.date))].sort();
  return { timeZone: spec.timezone || 'UTC', ...(holidays.length ? { holidays } : {}) };
}

/** What each fire does: start the launcher, which is no run of the process (no Tandem search attributes), only its starter. */
export function launcherAction(process: ProcessDefinition, scheduleId: string, fixed: Record<string, unknown>, calendar: BusinessCalendar): ScheduleOptionsAction {
  return {
    type: 'startWorkflow',
    workflowType: SCHEDULED_START_WORKFLOW,
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    // Temporal appends the scheduled time, so every fire has its own launcher.
    workflowId: `${process.name}-sched-${scheduleId}`,
    args: [{ process: process.name, scheduleId, fixed, calendar } satisfies ScheduledStartInput],
    memo: { process: process.name, launcher: true },
  };
}

/** The launcher's arguments as the schedule holds them, if it is a launcher schedule. */
export function launchOf(d: ScheduleDescription): ScheduledStartInput | undefined {
  return d.action.workflowType === SCHEDULED_START_WORKFLOW ? (d.action.args?.[0] as ScheduledStartInput | undefined) : undefined;
}

/** The next fires and the input each will get (for a schedule holding the whole input, that input each time). */
export function nextRuns(d: ScheduleDescription, process: ProcessDefinition | undefined): ScheduleView['nextRuns'] {
  const launch = launchOf(d);
  const held = (d.action.args?.[0] ?? {}) as Record<string, unknown>;
  return d.info.nextActionTimes.map((at) => {
    if (!launch) return { at: at.toISOString(), input: held };
    if (!process) return { at: at.toISOString(), invalid: `Process ${launch.process} is no longer offered` };
    const computed = scheduledInput(process, launch.fixed, at, launch.calendar);
    return computed.ok ? { at: at.toISOString(), input: computed.input as Record<string, unknown> } : { at: at.toISOString(), invalid: computed.message };
  });
}

type RunState = Pick<ScheduledRun, 'status' | 'closedAt'>;

/** A run's state now; past the namespace's retention it is gone, though the schedule remembers it. */
export async function runState(temporal: Client, runId: string, execution?: string): Promise<RunState> {
  try {
    const d = await temporal.workflow.getHandle(runId, execution).describe();
    const status = RunStatus.safeParse(d.status.name.toLowerCase());
    return { status: status.success ? status.data : 'unknown', ...(d.closeTime ? { closedAt: d.closeTime.toISOString() } : {}) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'unknown' };
    throw err;
  }
}

/** What a fire of a launcher schedule did: the run it started, or why it started none. */
export async function launchedRun(temporal: Client, result: ScheduleExecutionResult): Promise<ScheduledRun> {
  const { workflowId: launchId, firstExecutionRunId: execution } = result.action.workflow;
  const base = { launchId, scheduledAt: result.scheduledAt.toISOString(), startedAt: result.takenAt.toISOString() };
  // Two fires in one second share a launcher id (Temporal names them by the second): read this fire's own execution.
  const launcher = await runState(temporal, launchId, execution);
  if (launcher.status === 'running') return { ...base, status: 'starting' };
  if (launcher.status !== 'completed') return { ...base, ...launcher };
  const outcome = (await temporal.workflow.getHandle(launchId, execution).result()) as ScheduledStartOutcome;
  const run = { ...base, runId: outcome.runId, url: `/runs/${encodeURIComponent(outcome.runId)}`, input: outcome.input as Record<string, unknown> };
  if (outcome.kind === 'refused') return { ...run, status: 'refused', refused: outcome.reason };
  return { ...run, ...(await runState(temporal, outcome.runId)) };
}
